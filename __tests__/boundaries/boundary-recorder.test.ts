/**
 * The outer side of agent boundaries on its own (docs/boundaries.md):
 * `BoundaryRecorder.begin` routes one call through the engine and the tape.
 * A tape and a runtime stand in for the session that owns them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CassetteDocument, Interaction } from '../../src/cassette/cassette-schema';
import type { Json } from '../../src/json';
import { loadConfig } from '../../src/config/config';
import type { Mode } from '../../src/config/modes';
import { BoundaryRecorder, type BoundaryCall } from '../../src/boundaries/boundary-recorder';
import { matchKeyOf } from '../../src/engine/match-index';
import { Tape } from '../../src/engine/tape';
import { CassetteCorruptError, ERROR_CODES } from '../../src/errors';
import { runtimeFor } from '../support/test-runtime';

const project = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-boundary-recorder-'));
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));
const config = loadConfig(project);
const owner = { testName: 'agent charges', testFile: 'agent.test.ts', cassettePath: path.join(project, 'agent charges.yaml'), fileScope: false };

const tapeOf = (mode: Mode, existing: CassetteDocument | null = null) => new Tape(owner, existing, config, { mode, source: 'test' });
const docOf = (...interactions: Interaction[]): CassetteDocument => ({ version: '1', created_at: 't', run_id: 'r', meta: { tags: [] }, interactions });

function recorderFor(tape: Tape): BoundaryRecorder {
  const runtime = runtimeFor(tape, config);
  const recorder = new BoundaryRecorder(runtime);
  runtime.boundaryExecuting = () => recorder.executing();
  return recorder;
}

const charge = (amount: number, apiKey = 'none'): BoundaryCall => ({ kind: 'tool', boundary: 'charge_card', request: { name: 'charge_card', args: { amount, apiKey } }, tags: ['payments'] });

function recorded(request: { [key: string]: Json }, outcome: Pick<Interaction, 'response' | 'error'>, async: boolean): Interaction {
  return { index: 0, kind: 'tool', boundary: 'charge_card', request, ...outcome, match_key: matchKeyOf(request, config), latency_ms: 1, usage: null, tags: [], metadata: { async } };
}

let recorder: BoundaryRecorder | undefined;
afterEach(() => recorder?.dispose());

describe('record', () => {
  test('runs the function inside the boundary and records its redacted call and result when it finishes', () => {
    const tape = tapeOf('record');
    recorder = recorderFor(tape);
    const start = recorder.begin(charge(42, 'sk-proj-abcdefghijklmnopqrstuv1234'));
    if (start.action !== 'execute') throw new Error(`expected execute, got ${start.action}`);
    const inside = start.run(() => recorder!.executing());
    expect(inside).toBe(true);
    expect(recorder.executing()).toBe(false);
    // Nothing is recorded before the call ends.
    expect(tape.dirty).toBe(false);
    start.finish({ response: { charged: 42, receipt: 'r-1' }, async: true });
    const [written] = tape.toDocument('0.0.0', new Date(0)).interactions;
    expect(written).toMatchObject({
      kind: 'tool',
      boundary: 'charge_card',
      request: { name: 'charge_card', args: { amount: 42, apiKey: config.redact.placeholder } },
      response: { charged: 42, receipt: 'r-1' },
      tags: ['payments'],
      metadata: { async: true },
    });
    expect(written.match_key).toBe(matchKeyOf(written.request, config));
  });

  test('a call that throws is recorded as its error; a call inside an executing boundary passes through', () => {
    const tape = tapeOf('record');
    recorder = recorderFor(tape);
    const outer = recorder.begin(charge(1));
    if (outer.action !== 'execute') throw new Error(`expected execute, got ${outer.action}`);
    const nested = outer.run(() => recorder!.begin(charge(2)));
    expect(nested).toEqual({ action: 'passthrough' });
    outer.finish({ error: { type: 'CardDeclined', message: 'declined' }, async: false });
    const written = tape.toDocument('0.0.0', new Date(0)).interactions;
    expect(written).toHaveLength(1);
    expect(written[0].error).toEqual({ type: 'CardDeclined', message: 'declined' });
    expect(written[0].response).toBeUndefined();
  });
});

describe('replay', () => {
  test('serves recorded values and rejections in order, saying whether the function returned a promise', () => {
    const request = { name: 'charge_card', args: { amount: 42, apiKey: config.redact.placeholder } };
    const tape = tapeOf('none', docOf(recorded(request, { response: { charged: 42 } }, true), recorded(request, { error: { type: 'CardDeclined', message: 'declined' } }, false)));
    recorder = recorderFor(tape);
    expect(recorder.begin(charge(42))).toEqual({ action: 'replay', response: { charged: 42 }, error: undefined, async: true });
    expect(recorder.begin(charge(42))).toEqual({ action: 'replay', response: undefined, error: { type: 'CardDeclined', message: 'declined' }, async: false });
    expect(tape.timeline.map((entry) => entry.source)).toEqual(['replayed', 'replayed']);
    expect(tape.failures).toEqual([]);
  });

  test('an unmatched call is refused and fails the test, without running anything', () => {
    const request = { name: 'charge_card', args: { amount: 42, apiKey: config.redact.placeholder } };
    const tape = tapeOf('none', docOf(recorded(request, { response: { charged: 42 } }, true)));
    recorder = recorderFor(tape);
    const start = recorder.begin(charge(99));
    expect(start.action).toBe('refuse');
    if (start.action !== 'refuse') return;
    expect((start.error as { code?: string }).code).toBe(ERROR_CODES.unmatched);
    expect(tape.failures).toEqual([start.error]);
    expect(tape.dirty).toBe(false);
  });

  test('a recording found damaged on first read fails the call and the test, even if the agent catches it', () => {
    const request = { name: 'charge_card', args: { amount: 42, apiKey: config.redact.placeholder } };
    const damaged = recorded(request, { response: null }, false);
    // As a large cassette's response parsed on first read (src/cassette/yaml-lazy-read.ts) that cannot be read.
    Object.defineProperty(damaged, 'response', {
      get: () => {
        throw new CassetteCorruptError('Cassette big.yaml is corrupt: field "interactions[0].response" (line 9) must be a mapping.');
      },
    });
    const tape = tapeOf('none', docOf(damaged));
    recorder = recorderFor(tape);
    expect(() => recorder!.begin(charge(42))).toThrow(CassetteCorruptError);
    expect(tape.failures.map((error) => error.message)).toEqual([expect.stringContaining('field "interactions[0].response" (line 9)')]);
  });
});
