/**
 * The line of a field in cassette YAML, for error messages ("field
 * "interactions[0].response" (line 13) ...", docs/format.md), without a
 * document model: js-yaml, the one YAML library, builds plain values and keeps
 * no positions.
 *
 * It reads the block layout every writer of the format produces: a number
 * walks to the n-th `- ` item at the child indentation, a string to the
 * `key:` line at the child indentation. A value written in flow style
 * (`{...}`, `[...]`) or on several lines the walk cannot enter gives the
 * line of the nearest field it found. As with a document model, a block
 * mapping or list under a key starts on the line after the key.
 */

/** A line that holds YAML content (not blank, not only a comment). */
interface ContentLine {
  /** 1-based line number. */
  no: number;
  indent: number;
  /** The line after its indentation (for an item's first line, after `- `). */
  content: string;
}

function contentLines(text: string): ContentLine[] {
  const out: ContentLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    const content = line.trimStart();
    if (content === '' || content.startsWith('#') || (i === 0 && content === '---')) continue;
    out.push({ no: i + 1, indent: line.length - content.length, content });
  }
  return out;
}

const isItem = (content: string): boolean => content === '-' || content.startsWith('- ');

/** True when `content` is the line of `key` (plain, single- or double-quoted). */
function keyRest(content: string, key: string): string | undefined {
  for (const written of [key, JSON.stringify(key), `'${key.replace(/'/g, "''")}'`]) {
    if (content.startsWith(written) && content[written.length] === ':') {
      const rest = content.slice(written.length + 1);
      if (rest === '' || rest.startsWith(' ')) return rest.trim();
    }
  }
  return undefined;
}

/** A value that continues on the following lines: nothing after `key:` (or only an anchor, a tag, a comment). */
const opensBlock = (rest: string): boolean => rest === '' || /^([&!][^\s]*\s*)*(#.*)?$/.test(rest);

/**
 * The 1-based line where the value at `path` starts in block-layout YAML, or
 * of the nearest field on the way to it; undefined when not even the first
 * step is found.
 *
 * @example
 * lineOfField('version: "1"\ninteractions:\n  - index: 0\n    kind: teleport\n', ['interactions', 0, 'kind']); // 4
 */
export function lineOfField(text: string, path: readonly (string | number)[]): number | undefined {
  const lines = contentLines(text);
  let lo = 0;
  let hi = lines.length;
  let found: number | undefined;
  for (const step of path) {
    if (lo >= hi) break;
    const indent = lines[lo].indent;
    let at = -1;
    let seen = -1;
    for (let i = lo; i < hi && lines[i].indent >= indent; i++) {
      const { content } = lines[i];
      if (lines[i].indent !== indent) continue;
      if (typeof step === 'number') {
        if (!isItem(content)) break;
        if (++seen === step) {
          at = i;
          break;
        }
      } else if (keyRest(content, step) !== undefined) {
        at = i;
        break;
      }
    }
    if (at === -1) break;
    // The value's lines: deeper than the step's line (a list under a key may sit at the key's indentation).
    let end = at + 1;
    const sameIndentItems = typeof step === 'string';
    while (end < hi && (lines[end].indent > indent || (sameIndentItems && lines[end].indent === indent && isItem(lines[end].content)))) end++;
    if (typeof step === 'number') {
      const rest = lines[at].content.slice(1);
      const value = rest.trimStart();
      if (value === '' || opensBlock(value)) {
        found = lines[at + 1] && at + 1 < end ? lines[at + 1].no : lines[at].no;
        lo = at + 1;
      } else {
        // The item's value starts on its own line, after `- `: read that line as its first child.
        found = lines[at].no;
        lines[at] = { no: lines[at].no, indent: indent + 1 + (rest.length - value.length), content: value };
        lo = at;
      }
      hi = end;
    } else {
      const rest = keyRest(lines[at].content, step)!;
      if (!opensBlock(rest)) {
        // A scalar, block scalar or flow value on the key's line: no deeper field has a line of its own.
        found = lines[at].no;
        lo = hi;
        continue;
      }
      found = at + 1 < end ? lines[at + 1].no : lines[at].no;
      lo = at + 1;
      hi = end;
    }
  }
  return found;
}
