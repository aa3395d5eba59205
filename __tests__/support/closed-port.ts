/**
 * A port on 127.0.0.1 where nothing listens, for a real connection error.
 * (Port 9 will not do: fetch refuses "bad ports" before sending anything.)
 */
import * as http from 'node:http';

/** Listens on a free port, closes it, and returns it. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
