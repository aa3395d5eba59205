/**
 * A self-signed certificate made at test time with the system's `openssl`
 * (Node's crypto makes keys but not X.509 certificates), valid for
 * 127.0.0.1 and localhost, so a test can serve HTTPS and make a fixture
 * project trust it the way a user would: NODE_EXTRA_CA_CERTS, not by turning
 * verification off.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface SelfSignedCert {
  /** PEM of the private key. */
  key: string;
  /** PEM of the certificate. */
  cert: string;
  /** Path of the certificate file, for NODE_EXTRA_CA_CERTS. */
  certPath: string;
  /** Deletes the temporary folder holding the key and certificate. */
  remove(): void;
}

/**
 * Generates a key and a one-day certificate for 127.0.0.1 and localhost in a temporary folder.
 *
 * @example
 * const tls = createSelfSignedCert();
 * const provider = await startFakeProvider(0, { tls });
 * await fixture.run([], { NODE_EXTRA_CA_CERTS: tls.certPath });
 * tls.remove();
 */
export function createSelfSignedCert(): SelfSignedCert {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-tls-'));
  const keyPath = path.join(dir, 'key.pem');
  const certPath = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'pipe' },
  );
  return {
    key: fs.readFileSync(keyPath, 'utf8'),
    cert: fs.readFileSync(certPath, 'utf8'),
    certPath,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
