'use strict';
/** A real HTTP server on 127.0.0.1 (port 0) answering each fixture request body with its response. */
const http = require('node:http');

/**
 * Starts the server. `responses` maps a request body (text) to a response body (text).
 * Unknown bodies get a 404, so a wrong request can never pass the body check.
 */
function startLoopback(responses, { contentType = 'application/json' } = {}) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = responses.get(Buffer.concat(chunks).toString('utf8'));
      if (body === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('no fixture for this body');
        return;
      }
      res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        server,
        port,
        origin: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
  });
}

module.exports = { startLoopback };
