import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** True when the openssl command is installed (the TLS tests make their certificates with it). */
export function opensslAvailable(): boolean {
  return spawnSync('openssl', ['version']).status === 0;
}

/**
 * Throwaway certificates in `dir`, made with openssl: ca.{key,crt}; server.{key,crt} signed by the CA for
 * localhost and 127.0.0.1 (and server-enc.key, its key encrypted with "s3cret"); client.{key,crt} signed by
 * the CA; rogue.{key,crt}, self-signed (a client certificate the server must refuse).
 */
export function makeTestCertificates(dir: string): void {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const days = ['-days', '2'];
  const selfSigned = (name: string, cn: string) =>
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      ...days,
      '-subj',
      `/CN=${cn}`,
    );
  selfSigned('ca', 'redkit-test-ca');
  writeFileSync(file('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  const signed = (name: string, cn: string, extra: string[] = []) => {
    openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${cn}`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      ...days,
      ...extra,
    );
  };
  signed('server', 'localhost', ['-extfile', 'san.ext']);
  signed('client', 'client');
  // A client certificate from a CA the server does not trust.
  selfSigned('rogue', 'rogue');
  openssl('pkey', '-in', 'server.key', '-aes256', '-passout', 'pass:s3cret', '-out', 'server-enc.key');
}
