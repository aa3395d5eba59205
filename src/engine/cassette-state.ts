/**
 * The cassettes of one test file during a run, the way a snapshot state owns
 * a snapshot file: it loads each cassette once, hands out one `Tape` per
 * test, and saves what changed at the end. It is the only code that reads or
 * writes cassette files during a test run (the `agenttape` commands use the
 * same src/cassette/cassette-file.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCacheFolder, readCassetteFile, writeCassetteFile } from '../cassette/cassette-file';
import type { CassetteDocument } from '../cassette/cassette-schema';
import type { Json } from '../json';
import { CassetteNameAllocator, cassettePath, derivedCassettePath, extensionOf, FILE_SCOPE_NAME, type CassetteLocation } from '../cassette/cassette-path';
import type { AgentTapeConfig } from '../config/config';
import { isRecordAll, isRecordingMode, resolveMode, type Mode, type ModeInputs } from '../config/modes';
import { AgentTapeError } from '../errors';
import type { Redactor } from '../redact/redactor';
import { AGENTTAPE_VERSION } from '../version';
import { Tape } from './tape';

/** What `save()` did. */
interface SaveResult {
  written: string[];
}

/**
 * One test file's cassettes.
 *
 * @example
 * const state = new CassetteState(location, config, { env: 'none', ci: false }, new Redactor(config.redact));
 * const tape = state.openTest('weather > answers');
 * // … serve requests through the engine …
 * state.save();
 */
export class CassetteState {
  private readonly names = new CassetteNameAllocator();
  private readonly tapes: Tape[] = [];
  /** The mode each test was opened with (`useCassette`'s option), which `cassette.use({})` returns to. */
  private readonly openedModes = new WeakMap<Tape, Mode | undefined>();
  /** Parse cache entries of large cassettes first read in this file, written when it saves. */
  private readonly cacheWrites: (() => void)[] = [];
  private fileTape: Tape | undefined;

  constructor(
    readonly location: CassetteLocation,
    readonly config: AgentTapeConfig,
    private readonly modeInputs: Omit<ModeInputs, 'test'>,
    /** The last pass over every document written: nothing secret reaches the disk. */
    private readonly redactor: Redactor,
  ) {}

  /** The test file, relative to rootDir. */
  get testFile(): string {
    return path.relative(this.location.rootDir, this.location.testPath) || path.basename(this.location.testPath);
  }

  /**
   * Opens the cassette of a test (loading its file once). A corrupt file throws
   * here, before any request is served.
   */
  openTest(testName: string, occurrence = 1, testMode?: Mode): Tape {
    const fileName = this.names.allocate(testName, occurrence);
    return this.open(testName, this.pathFor(fileName), false, testMode);
  }

  /** The cassette for requests made outside any test. */
  openFileScope(): Tape {
    this.fileTape ??= this.open(FILE_SCOPE_NAME, this.pathFor(FILE_SCOPE_NAME), true);
    return this.fileTape;
  }

  /**
   * The cassette file for a name: in the configured format, unless only the
   * other format's file exists (a project that switched `format` keeps its
   * recordings until they are re-recorded).
   */
  private pathFor(fileName: string): string {
    const preferred = cassettePath(this.location, fileName, extensionOf(this.config.format));
    if (fs.existsSync(preferred)) return preferred;
    const other = cassettePath(this.location, fileName, extensionOf(this.config.format === 'json' ? 'yaml' : 'json'));
    return fs.existsSync(other) ? other : preferred;
  }

  private open(testName: string, file: string, fileScope: boolean, testMode?: Mode): Tape {
    let existing: CassetteDocument | null = null;
    let loadError: AgentTapeError | undefined;
    try {
      existing = readCassetteFile(file, { cacheDir: parseCacheFolder(this.location.rootDir), deferCacheWrite: (write) => this.cacheWrites.push(write) });
    } catch (error) {
      if (!(error instanceof AgentTapeError)) throw error;
      loadError = error;
    }
    const mode = resolveMode({ ...this.modeInputs, test: testMode });
    const owner = { testName, testFile: this.testFile, cassettePath: file, fileScope };
    const tape = new Tape(owner, existing, this.config, mode, loadError);
    // A damaged cassette fails its test even when the test makes no request.
    if (loadError && !isRecordAll(mode.mode)) tape.failures.push(loadError);
    this.tapes.push(tape);
    this.openedModes.set(tape, testMode);
    return tape;
  }

  /** Re-resolves a tape's mode after a per-test option changed it; no mode returns to the one it was opened with. */
  setTestMode(tape: Tape, mode: Mode | undefined): void {
    tape.mode = resolveMode({ ...this.modeInputs, test: mode ?? this.openedModes.get(tape) });
  }

  /** Every tape opened so far, file scope included. */
  allTapes(): readonly Tape[] {
    return this.tapes;
  }

  /** Waits for recordings still in flight (bodies the client did not finish reading). */
  async settle(): Promise<void> {
    await Promise.all(this.tapes.map((tape) => tape.settled()));
  }

  /**
   * Writes every cassette that recorded something, atomically. A tape in `none`
   * mode never writes its cassette (with live boundaries it writes
   * `<name>.derived.<ext>` beside it); a retried test writes only its last attempt.
   * `freezeOf` gives each tape's `meta.freeze` (see docs/configuration.md, "Freeze");
   * without it a tape keeps the values its file had.
   */
  save(now = new Date(), freezeOf: (tape: Tape) => Json | undefined = () => undefined): SaveResult {
    const latest = new Map<string, Tape>();
    for (const tape of this.tapes) latest.set(tape.owner.cassettePath, tape);
    const written: string[] = [];
    // Parsed forms of cassettes first read in this file (src/cassette/parse-cache.ts), kept off the way to their first response.
    for (const write of this.cacheWrites.splice(0)) write();
    let damaged: AgentTapeError | undefined;
    for (const [file, tape] of latest) {
      try {
        if (tape.hasLiveRun) {
          const derived = derivedCassettePath(file);
          writeCassetteFile(derived, this.redactor.redactDocument(tape.toDerivedDocument(AGENTTAPE_VERSION, now, freezeOf(tape))));
          written.push(derived);
          continue;
        }
        if (!tape.dirty || !isRecordingMode(tape.mode.mode)) continue;
        // Adapters redact on the way in; this pass guarantees nothing secret reaches the disk.
        writeCassetteFile(file, this.redactor.redactDocument(tape.toDocument(AGENTTAPE_VERSION, now, freezeOf(tape))));
        written.push(file);
      } catch (error) {
        // A recording of a large cassette found damaged on first read (docs/format.md, "Large cassettes"):
        // that file is left as it is, the others are still written, then the error is reported.
        if (!(error instanceof AgentTapeError)) throw error;
        damaged ??= error;
      }
    }
    if (damaged) throw damaged;
    return { written };
  }
}
