/**
 * `agenttape view`: one self-contained HTML page showing a cassette as a
 * conversation — LLM messages, tool calls and HTTP exchanges — or two
 * cassettes side by side. No scripts, no external resources (a strict
 * Content-Security-Policy says so), and every recorded string is escaped.
 */
import type { CassetteDocument, Interaction } from '../cassette/cassette-schema';
import { isJsonObject, type Json } from '../json';
import { describeInteraction, httpResponseOf, tokensOf } from './interaction-facts';

/** A cassette to show, with the name to show it under. */
export interface NamedCassette {
  name: string;
  document: CassetteDocument;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML element content and quoted attributes.
 *
 * @example
 * escapeHtml('<script>'); // '&lt;script&gt;'
 */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

function pretty(value: Json | undefined): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

function block(className: string, title: string, body: string): string {
  return `<div class="msg ${className}"><div class="who">${escapeHtml(title)}</div><pre>${escapeHtml(body)}</pre></div>`;
}

function contentText(content: Json | undefined): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        if (!isJsonObject(part)) return pretty(part);
        if (typeof part.text === 'string') return part.text;
        if (part.type === 'tool_use') return `tool_use ${String(part.name)} ${pretty(part.input)}`;
        if (part.type === 'tool_result') return `tool_result ${contentText(part.content)}`;
        return pretty(part);
      })
      .join('\n');
  }
  return pretty(content);
}

function describeToolCalls(calls: Json | undefined): string {
  if (!Array.isArray(calls)) return '';
  return calls
    .map((call) => {
      const fn = isJsonObject(call) && isJsonObject(call.function) ? call.function : undefined;
      return fn ? `→ ${String(fn.name)}(${typeof fn.arguments === 'string' ? fn.arguments : pretty(fn.arguments)})` : `→ ${pretty(call)}`;
    })
    .join('\n');
}

function messagesOf(body: { [key: string]: Json }): Json[] {
  return Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : [];
}

/** How many leading messages of a request repeat the previous LLM request of the run (chat APIs resend the history). */
function sharedPrefix(previous: Json[], messages: Json[]): number {
  let n = 0;
  while (n < previous.length && n < messages.length && JSON.stringify(previous[n]) === JSON.stringify(messages[n])) n++;
  return n;
}

function renderMessages(body: { [key: string]: Json }, alreadyShown: number): string[] {
  const out: string[] = [];
  if (body.system !== undefined && alreadyShown === 0) out.push(block('system', 'system', contentText(body.system)));
  const messages = messagesOf(body);
  if (alreadyShown > 0) out.push(`<p class="earlier">${alreadyShown} earlier message${alreadyShown === 1 ? '' : 's'} shown above</p>`);
  for (const message of messages.slice(alreadyShown)) {
    if (!isJsonObject(message)) continue;
    const role = typeof message.role === 'string' ? message.role : 'message';
    const text = [contentText(message.content), describeToolCalls(message.tool_calls)].filter(Boolean).join('\n');
    out.push(block(role.replace(/[^a-z_]/gi, ''), role, text));
  }
  if (out.length === 0 && typeof body.prompt === 'string') out.push(block('user', 'prompt', body.prompt));
  return out;
}

function renderReply(body: Json | undefined): string[] {
  if (!isJsonObject(body)) return body === undefined ? [] : [block('assistant', 'response', pretty(body))];
  if (Array.isArray(body.choices)) {
    return body.choices.map((choice) => {
      const message = isJsonObject(choice) && isJsonObject(choice.message) ? choice.message : {};
      const text = [contentText(message.content), describeToolCalls(message.tool_calls)].filter(Boolean).join('\n');
      return block('assistant', 'assistant', text);
    });
  }
  if (Array.isArray(body.content)) return [block('assistant', 'assistant', contentText(body.content))];
  return [block('assistant', 'response', pretty(body))];
}

function renderStream(chunks: Json[]): string {
  return chunks.map((chunk) => (isJsonObject(chunk) ? pretty(chunk.data ?? chunk.text ?? chunk) : pretty(chunk))).join('\n');
}

function renderInteraction(interaction: Interaction, history: { messages: Json[] }): string {
  const parts: string[] = [];
  const { request } = interaction;
  const response = httpResponseOf(interaction);
  const isHttp = typeof request.method === 'string' && typeof request.url === 'string';
  const requestBody = isHttp ? (request.json ?? request.text ?? request.form ?? request.body_b64) : request;
  if (interaction.kind === 'llm') {
    const body = isJsonObject(requestBody) ? requestBody : {};
    const messages = messagesOf(body);
    parts.push(...renderMessages(body, sharedPrefix(history.messages, messages)));
    history.messages = messages;
    if (parts.length === 0) parts.push(block('user', 'request', pretty(requestBody)));
  } else if (!isHttp && typeof request.name === 'string') {
    parts.push(block('tool', `call ${request.name}`, pretty(request.args)));
  } else {
    parts.push(block('http', 'request', `${String(request.method)} ${String(request.url)}\n${pretty(requestBody)}`.trim()));
  }
  if (interaction.error) {
    parts.push(block('error', `error ${interaction.error.type}`, interaction.error.message));
  } else if (response) {
    const body = response.json ?? response.text ?? response.body_b64 ?? (Array.isArray(response.chunks) ? renderStream(response.chunks) : undefined);
    if (interaction.kind === 'llm') parts.push(...renderReply(body));
    else parts.push(block('http', `response ${String(response.status_code)}`, pretty(body)));
  } else if (interaction.kind === 'llm') {
    parts.push(...renderReply(interaction.response));
  } else {
    parts.push(block('tool', 'returned', pretty(interaction.response)));
  }
  const tokens = tokensOf(interaction);
  const facts = [interaction.latency_ms === null ? '' : `${Math.round(interaction.latency_ms)} ms`, tokens.input + tokens.output > 0 ? `${tokens.input} in / ${tokens.output} out tokens` : ''].filter(Boolean);
  return (
    `<section class="step kind-${escapeHtml(interaction.kind)}"><h3>#${interaction.index} <span class="kind">${escapeHtml(interaction.kind)}</span> ` +
    `${escapeHtml(interaction.boundary)} <small>${escapeHtml(facts.join(', '))}</small></h3>` +
    `<p class="label">${escapeHtml(describeInteraction(interaction))}</p>${parts.join('')}</section>`
  );
}

function renderColumn(cassette: NamedCassette): string {
  const { document } = cassette;
  const history = { messages: [] as Json[] };
  const test = typeof document.meta.test_name === 'string' ? document.meta.test_name : '';
  return (
    `<div class="column"><h2>${escapeHtml(cassette.name)}</h2>` +
    `<p class="meta">${escapeHtml(test)}${test ? ' · ' : ''}${document.interactions.length} interactions · recorded ${escapeHtml(document.created_at)}</p>` +
    `${document.interactions.map((interaction) => renderInteraction(interaction, history)).join('')}</div>`
  );
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{padding:12px 20px;background:#1d2330;color:#fff}header h1{font-size:18px;margin:0}
main{display:flex;gap:16px;padding:16px}.column{flex:1;min-width:0}
h2{font-size:16px;margin:0 0 4px;word-break:break-all}.meta{color:#5a6270;margin:0 0 12px}
.step{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:10px 12px;margin-bottom:12px}
.step h3{font-size:14px;margin:0}.step small{color:#5a6270;font-weight:normal}.label{color:#5a6270;margin:2px 0 8px;word-break:break-all}
.kind{display:inline-block;padding:0 6px;border-radius:4px;background:#e8ecf3}
.kind-llm .kind{background:#e3dcff}.kind-tool .kind{background:#dcf5e3}.kind-http .kind{background:#fff1d6}
.msg{border-left:4px solid #c5cbd5;margin:6px 0;padding:4px 8px;background:#fafbfc}
.earlier{color:#5a6270;font-style:italic;margin:4px 0}
.msg .who{font-size:12px;font-weight:600;color:#5a6270;text-transform:uppercase}
.msg.user{border-color:#3b82f6}.msg.assistant{border-color:#8b5cf6}.msg.system{border-color:#64748b}
.msg.tool{border-color:#16a34a}.msg.http{border-color:#d97706}.msg.error{border-color:#dc2626;background:#fff5f5}
pre{white-space:pre-wrap;word-break:break-word;margin:2px 0;font:12px/1.4 ui-monospace,monospace;max-height:400px;overflow:auto}
`;

/**
 * Renders one cassette, or several side by side, as a complete HTML page.
 *
 * @example
 * fs.writeFileSync('a.html', renderCassetteHtml([{ name: 'a.yaml', document: doc }]));
 */
export function renderCassetteHtml(cassettes: NamedCassette[]): string {
  const title = cassettes.map((c) => c.name).join(' vs ');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>AgentTape · ${escapeHtml(title)}</title><style>${STYLE}</style></head>`,
    `<body><header><h1>AgentTape · ${escapeHtml(title)}</h1></header>`,
    `<main>${cassettes.map(renderColumn).join('')}</main></body></html>`,
    '',
  ].join('\n');
}
