/**
 * Type declarations of the AgentTape matchers on Jest's `expect`, in one
 * place: importing `agenttape` or `agenttape/matchers` brings them in.
 */
export {};

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /**
       * Every recorded interaction of this test was replayed.
       *
       * @example
       * expect(cassette).toHaveReplayedAll();
       */
      toHaveReplayedAll(): R;
    }
  }
}
