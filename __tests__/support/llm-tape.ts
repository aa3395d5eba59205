/**
 * A Tape over chat-completion recordings, as the engine and report tests build
 * it: recordings that differ by the user's message, a request that asks with
 * one, and the owner the miss messages name.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SCHEMA_VERSION, type CassetteDocument, type Interaction } from '../../src/cassette/cassette-schema';
import { loadConfig } from '../../src/config/config';
import type { ResolvedMode } from '../../src/config/modes';
import type { IncomingRequest } from '../../src/engine/match-index';
import { Tape } from '../../src/engine/tape';
import type { AgentTapeError } from '../../src/errors';

const PROJECT = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-tape-'));
afterAll(() => fs.rmSync(PROJECT, { recursive: true, force: true }));

/** The configuration of a project with no agenttape.config.json. */
export const config = loadConfig(PROJECT);
export const URL_ = 'https://api.openai.com/v1/chat/completions';

/** A recorded completion for the user message `content`, answering `{ ok: index }`. */
export function interaction(index: number, content: string): Interaction {
  return {
    index,
    kind: 'llm',
    boundary: 'llm',
    request: { method: 'POST', url: URL_, json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] } },
    response: { status_code: 200, json: { ok: index } },
    match_key: '',
    latency_ms: 1,
    usage: null,
    tags: [],
    metadata: {},
  };
}

export const doc = (...interactions: Interaction[]): CassetteDocument => ({ version: SCHEMA_VERSION, created_at: 't', run_id: 'r', meta: { tags: [] }, interactions });
export const ask = (content: string): IncomingRequest => ({ kind: 'llm', boundary: 'llm', request: { method: 'POST', url: URL_, json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] } } });
export const owner = { testName: 'weather answers', testFile: 'src/agent.test.ts', cassettePath: '/p/cassettes/src/agent.test.ts/weather answers.yaml', fileScope: false };
export const tape = (existing: CassetteDocument | null, mode: ResolvedMode, loadError?: AgentTapeError) => new Tape(owner, existing, config, mode, loadError);
export const none: ResolvedMode = { mode: 'none', source: 'default' };
