/**
 * Type declarations of the AgentTape matchers on Jest's `expect`, in one
 * place: importing `agenttape` or `agenttape/matchers` brings them in.
 */
export {};

declare global {
  namespace jest {
    interface Matchers<R> {
      /**
       * Every recorded interaction of this test was replayed.
       *
       * @example
       * expect(cassette).toHaveReplayedAll();
       */
      toHaveReplayedAll(): R;
      /**
       * This test called exactly these tool and retrieval boundaries, in this order.
       *
       * @example
       * expect(cassette).toHaveCalledTools(['search_docs', 'get_weather']);
       */
      toHaveCalledTools(names: readonly string[]): R;
      /**
       * This run's sequence of interactions (kind, boundary, canonical request) equals the recording.
       *
       * @example
       * expect(cassette).toMatchRecording();
       */
      toMatchRecording(): R;
    }
  }
}
