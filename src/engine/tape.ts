/**
 * One test's cassette in memory: what was recorded before, what this run
 * replayed or recorded, and what it will write. It never touches the file
 * system; `CassetteState` loads and saves it.
 */
import { randomUUID } from 'node:crypto';
import { SCHEMA_VERSION, type CassetteDocument, type Interaction } from '../cassette/cassette-schema';
import type { Json } from '../json';
import type { AgentTapeConfig } from '../config/config';
import { isRecordAll, isRecordingMode, type ResolvedMode } from '../config/modes';
import { ConfigError, type AgentTapeError } from '../errors';
import { MatchIndex, type IncomingRequest } from './match-index';
import { PartialReplay } from './partial-replay';

/** How an interaction of this run was served. */
export type InteractionSource = 'replayed' | 'recorded' | 'live';

/** One step of this run, in the order it started. */
interface TimelineEntry {
  interaction: Interaction;
  source: InteractionSource;
  /** When it started, as a sequence number of this tape ({@link Tape.begin}). */
  started: number;
}

/** Who this tape belongs to, for messages and `meta`. */
export interface TapeOwner {
  /** Full test name, or the file-scope name. */
  testName: string;
  /** Test file path relative to rootDir. */
  testFile: string;
  /** Absolute cassette path. */
  cassettePath: string;
  /** Whether this tape collects requests made outside any test. */
  fileScope: boolean;
}

/** A step of this run that started and is recorded when it ends ({@link Tape.startStep}). */
interface PendingStep {
  /** Records the step in its place; only the first call counts. If `build` throws, the step is dropped. */
  finish(build: () => Omit<Interaction, 'index'>): void;
}

/** A recording that matches a request, found by {@link Tape.match} and not served yet. */
export interface RecordingMatch {
  readonly interaction: Interaction;
  readonly position: number;
  readonly index: MatchIndex;
  /** True for a frozen boundary in a record-everything mode: the replayed recording is kept in the new file. */
  readonly kept: boolean;
}

/**
 * The cassette of one test during a run.
 *
 * @example
 * const tape = new Tape(owner, loaded, config, { mode: 'none', source: 'default' });
 * const found = tape.match(incoming);
 */
export class Tape {
  /**
   * What this run did, in the order each step started — the order replay
   * serves recordings in — even when a step that started later (a fast
   * response beside a slow one) was recorded first.
   */
  readonly timeline: TimelineEntry[] = [];
  /** Errors to report on the test even if the code under test swallowed them. */
  readonly failures: Error[] = [];
  private index: MatchIndex | undefined;
  private recorded: Interaction[] = [];
  /** When each of `recorded` started, in step with it. */
  private recordedStarted: number[] = [];
  private sequence = 0;
  private frozenIndex: MatchIndex | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    readonly owner: TapeOwner,
    /** The cassette read from disk, or null when the file does not exist. */
    readonly existing: CassetteDocument | null,
    readonly config: AgentTapeConfig,
    public mode: ResolvedMode,
    /** Why the cassette file could not be read (corrupt, unknown version); it is never overwritten then. */
    readonly loadError?: AgentTapeError,
  ) {}

  private partialReplay: PartialReplay | undefined;
  /** The configuration requests are matched with: `config`, or a per-test matcher chain over it. */
  private matchConfig: AgentTapeConfig | undefined;

  /**
   * Matches this test's requests with another matcher chain (`cassette.use({ matchers })`).
   * Only before the first request: recordings already served were chosen by the old chain.
   *
   * @example
   * tape.useMatchers(['ordered'], 'cassette.use()');
   */
  useMatchers(matchers: AgentTapeConfig['matchers'], where: string): void {
    if (this.index || this.frozenIndex) {
      throw new ConfigError(`"matchers" in ${where} came after this test's first request; set it at the start of the test (or in beforeEach), before any request is made.`);
    }
    this.matchConfig = { ...this.config, matchers };
  }

  /** The `live` / `frozen` lists in force (config, then docblock, then `cassette.use()`). */
  get partial(): PartialReplay {
    this.partialReplay ??= new PartialReplay(this.config.live, this.config.frozen);
    return this.partialReplay;
  }

  set partial(partial: PartialReplay) {
    this.partialReplay = partial;
  }

  /** True when a cassette file existed before this run. */
  get existed(): boolean {
    return this.existing !== null || this.loadError !== undefined;
  }

  /** Recordings that replay may serve (none in a record-everything mode). */
  get recordings(): readonly Interaction[] {
    return this.existing && !isRecordAll(this.mode.mode) ? this.existing.interactions : [];
  }

  /**
   * The recording replay would serve for a request, without serving it:
   * {@link Tape.replay} does that.
   *
   * @example
   * const found = tape.match(incoming);
   * if (found) tape.replay(found);
   */
  match(incoming: IncomingRequest): RecordingMatch | undefined {
    if (this.recordings.length === 0) return undefined;
    this.index ??= new MatchIndex(this.recordings, this.matchConfig ?? this.config);
    return this.found(this.index, this.recordings, incoming, false);
  }

  /**
   * The recording of a frozen boundary while recording: from the cassette file
   * even in a record-everything mode, where the replayed interaction is kept in the new file.
   *
   * @example
   * const found = tape.matchFrozen(incoming);
   */
  matchFrozen(incoming: IncomingRequest): RecordingMatch | undefined {
    if (!isRecordAll(this.mode.mode)) return this.match(incoming);
    const existing = this.existing?.interactions ?? [];
    if (existing.length === 0) return undefined;
    this.frozenIndex ??= new MatchIndex(existing, this.matchConfig ?? this.config);
    return this.found(this.frozenIndex, existing, incoming, true);
  }

  private found(index: MatchIndex, recordings: readonly Interaction[], incoming: IncomingRequest, kept: boolean): RecordingMatch | undefined {
    const position = index.find(incoming);
    return position === undefined ? undefined : { interaction: recordings[position], position, index, kept };
  }

  /**
   * Serves a match: marks its recording used (the next identical request gets
   * the next recording) and adds it to the timeline.
   *
   * @example
   * const interaction = tape.replay(tape.match(incoming)!);
   */
  replay(match: RecordingMatch): Interaction {
    match.index.use(match.position);
    const started = this.begin();
    if (match.kept) {
      this.recorded.push(match.interaction);
      this.recordedStarted.push(started);
    }
    this.timeline.push({ interaction: match.interaction, source: 'replayed', started });
    return match.interaction;
  }

  /** The next start number of this tape: steps are ordered by it. */
  private begin(): number {
    return ++this.sequence;
  }

  /**
   * Adds a new interaction of this run that starts and ends now; it will be
   * written at save time. In `none` mode that is a live boundary.
   *
   * @example
   * tape.record({ kind: 'tool', boundary: 'now', request: { name: 'now', args: [] }, response: 1, match_key: '', latency_ms: 0, usage: null, tags: [], metadata: {} });
   */
  record(interaction: Omit<Interaction, 'index'>): Interaction {
    return this.insert(interaction, this.begin());
  }

  /**
   * Starts a step that is recorded when it ends (an HTTP exchange once its body
   * is read, a tool call once it returns), in its place by when it started —
   * the order replay serves recordings in. With `awaited`, saving waits for it:
   * a response still streaming is recorded whole; a tool that never returns is
   * not waited for (nor recorded).
   *
   * @example
   * const step = tape.startStep({ awaited: true });
   * // … later, once the response ended …
   * step.finish(() => ({ ...incoming, response, match_key, latency_ms, usage: null, tags: [], metadata: {} }));
   */
  startStep({ awaited }: { awaited: boolean }): PendingStep {
    const started = this.begin();
    let settle = () => undefined as void;
    if (awaited) this.track(new Promise<void>((resolve) => (settle = resolve)));
    let finished = false;
    return {
      finish: (build) => {
        if (finished) return;
        finished = true;
        try {
          this.insert(build(), started);
        } finally {
          settle();
        }
      },
    };
  }

  private insert(interaction: Omit<Interaction, 'index'>, started: number): Interaction {
    const full = { ...interaction, index: 0 };
    const source: InteractionSource = isRecordingMode(this.mode.mode) ? 'recorded' : 'live';
    const at = insertionPoint(this.recordedStarted, (n) => n, started);
    this.recorded.splice(at, 0, full);
    this.recordedStarted.splice(at, 0, started);
    this.timeline.splice(
      insertionPoint(this.timeline, (entry) => entry.started, started),
      0,
      { interaction: full, source, started },
    );
    return full;
  }

  /** Registers work that will still add to this tape. */
  private track(work: Promise<void>): void {
    const settled = work.finally(() => this.pending.delete(settled));
    this.pending.add(settled);
  }

  /** Resolves when all tracked work has finished, so a save misses nothing. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Recordings of the cassette this run did not use. */
  unused(): Interaction[] {
    const used = this.index?.usedPositions() ?? new Set<number>();
    return this.recordings.filter((_, position) => !used.has(position));
  }

  /** True when this run has something to write. */
  get dirty(): boolean {
    return this.recorded.length > 0;
  }

  /** True when live boundaries ran in `none` mode: the run goes to the derived cassette. */
  get hasLiveRun(): boolean {
    return !isRecordingMode(this.mode.mode) && this.timeline.some((entry) => entry.source === 'live');
  }

  /**
   * The derived cassette of a partial replay: this run's interactions in the
   * order they happened, replayed and live alike.
   */
  toDerivedDocument(agenttapeVersion: string, now: Date, freeze?: Json): CassetteDocument {
    const base = this.toDocument(agenttapeVersion, now, freeze);
    const interactions = this.timeline.map(({ interaction }, index) => ({ ...interaction, index }));
    return {
      ...base,
      created_at: now.toISOString(),
      run_id: randomUUID(),
      meta: { ...base.meta, derived_from: this.existing?.run_id ?? '', live: [...this.partial.live] },
      interactions,
    };
  }

  /**
   * The document to write: the old recordings followed by the new ones
   * (`new_episodes`), or only the new ones (`once` on a new file, `all`).
   */
  toDocument(agenttapeVersion: string, now: Date, freeze?: Json): CassetteDocument {
    const keep = this.recordings;
    const interactions = [...keep, ...this.recorded].map((interaction, index) => ({ ...interaction, index }));
    const base = keep.length > 0 && this.existing ? this.existing : undefined;
    return {
      version: SCHEMA_VERSION,
      created_at: base?.created_at || now.toISOString(),
      run_id: base?.run_id || randomUUID(),
      meta: {
        ...(base?.meta ?? {}),
        agenttape_version: agenttapeVersion,
        mode: this.mode.mode,
        test_file: this.owner.testFile,
        test_name: this.owner.testName,
        freeze: freeze ?? base?.meta.freeze ?? {},
        tags: (base?.meta.tags as CassetteDocument['meta'][string]) ?? [],
      },
      interactions,
    };
  }
}

/** Where `started` goes in a list ascending by start: after every earlier step (usually at the end, so scanned from there). */
function insertionPoint<T>(ascending: readonly T[], startOf: (item: T) => number, started: number): number {
  let at = ascending.length;
  while (at > 0 && startOf(ascending[at - 1]) > started) at--;
  return at;
}
