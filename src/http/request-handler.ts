/**
 * The contract between the transports that intercept requests (node:http
 * through `@mswjs/interceptors`, undici's dispatcher) and the handler that
 * decides for each one: answer it, or let it go out as the client sent it and
 * copy the real response to a recorder. See docs/interception.md.
 */
import type { WireRequest } from './http-exchange';

/** Headers as a response carries them: one value, or several for a repeated header. */
export type HeaderMap = Record<string, string | string[]>;

/** Where a response passing through to the client is copied to, as it arrives. */
export interface ResponseSink {
  /** The status and headers arrived. */
  start(status: number, headers: HeaderMap): void;
  /** A body chunk arrived, as it came off the wire (still content-encoded). */
  data(chunk: Buffer): void;
  /** The body ended, or the client stopped reading it. */
  end(): void;
  /** The request failed before or while the response arrived. */
  fail(error: Error): void;
}

/** An answer to the client: a whole body, or a web stream of chunks (a replayed stream). */
interface RespondReply {
  status: number;
  headers: HeaderMap;
  body: Buffer | ReadableStream<Uint8Array>;
}

/**
 * Let the request go out through the client's own transport (its agent, TLS
 * options, proxy and headers); the real response is copied to `sink` as the
 * client receives it, or to nobody when it is not to be recorded.
 */
export interface PassThroughReply {
  passthrough: ResponseSink | undefined;
}

/** Fail the request as the network failed it while recording (a refused connection, a reset). */
export interface NetworkFailureReply {
  networkFailure: Error;
}

/**
 * What a handler answers. A thrown error is AgentTape refusing the request: it
 * reaches the client as itself where the transport allows (global `fetch`
 * hands it back rather than wrapped in "fetch failed").
 */
export type HandlerReply = RespondReply | PassThroughReply | NetworkFailureReply;

/** Handles one intercepted request. */
export type RequestHandler = (request: WireRequest) => Promise<HandlerReply>;

/**
 * Why a request was blocked: it opens a `connection` a cassette cannot hold
 * (a WebSocket, an upgrade, CONNECT), or it went through an
 * `unseen-dispatcher` that no intercepting dispatcher stood in front of.
 */
type BlockReason = 'connection' | 'unseen-dispatcher';

/** Builds (and reports) the error for a request that cannot be intercepted. */
export type BlockedRequestReporter = (description: string, reason: BlockReason) => Error;

/**
 * Whether a reply lets the request through.
 *
 * @example
 * if (isPassThrough(reply)) dispatcher.dispatch(options, handler);
 */
export function isPassThrough(reply: HandlerReply): reply is PassThroughReply {
  return 'passthrough' in reply;
}

/**
 * Whether a reply replays a network failure.
 *
 * @example
 * if (isNetworkFailure(reply)) handler.onError(reply.networkFailure);
 */
export function isNetworkFailure(reply: HandlerReply): reply is NetworkFailureReply {
  return 'networkFailure' in reply;
}

// Statuses whose responses carry no body (the Response constructor refuses one).
const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

/**
 * Whether a response to `method` with `status` carries no body, whatever a recording holds.
 *
 * @example
 * hasNoBody(204, 'GET'); // true
 */
export function hasNoBody(status: number, method: string): boolean {
  return NULL_BODY_STATUS.has(status) || method.toUpperCase() === 'HEAD';
}
