import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, type SecureContextOptions, type SecureVersion } from 'node:tls';
import type { Config } from '../config.js';

/** Certificates given directly (PEM), for embedders that do not keep them in files. */
export interface TlsMaterial {
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  ca?: string | Buffer | Array<string | Buffer>;
}

export type TlsClientAuth = 'no' | 'yes' | 'optional';

/** Everything Node needs for the TLS listener, derived from the tls-* parameters as Redis reads them. */
export interface TlsSettings {
  context: SecureContextOptions;
  clientAuth: TlsClientAuth;
}

/** A TLS configuration Redis would refuse; the message is the one Redis logs. */
export class TlsConfigError extends Error {}

const PROTOCOLS: SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/**
 * tls-protocols: a space-separated set of versions (default TLSv1.2 and TLSv1.3). Node takes a
 * contiguous range, so a set with a gap is served as the range from its lowest to its highest version.
 */
function protocolRange(value: string): { minVersion: SecureVersion; maxVersion: SecureVersion } {
  if (value.trim() === '') return { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' };
  const chosen = new Set<number>();
  for (const word of value.split(' ').filter((w) => w !== '')) {
    const index = PROTOCOLS.findIndex((p) => p.toLowerCase() === word.toLowerCase());
    if (index < 0) {
      throw new TlsConfigError(
        "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.",
      );
    }
    chosen.add(index);
  }
  const sorted = [...chosen].sort();
  return { minVersion: PROTOCOLS[sorted[0]!]!, maxVersion: PROTOCOLS[sorted[sorted.length - 1]!]! };
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TlsConfigError(`Failed to load ${what}: ${path}: ${(error as Error).message}`);
  }
}

/** The certificates of tls-ca-cert-dir (every regular file in it, as a hashed OpenSSL directory holds). */
function readCaDir(dir: string): Buffer[] {
  try {
    return readdirSync(dir)
      .map((name) => join(dir, name))
      .filter((path) => statSync(path).isFile())
      .map((path) => readFileSync(path));
  } catch (error) {
    throw new TlsConfigError(
      `Failed to configure CA certificate(s) file/directory: ${(error as Error).message}`,
    );
  }
}

/**
 * Builds the listener's TLS settings from the configuration (tls-cert-file, tls-key-file,
 * tls-key-file-pass, tls-ca-cert-file/dir, tls-auth-clients, tls-protocols, tls-ciphers,
 * tls-ciphersuites, tls-prefer-server-ciphers, tls-dh-params-file, tls-session-caching,
 * tls-session-cache-timeout), with `material` taking the place of the files it gives.
 * Throws TlsConfigError with Redis's log message when Redis would refuse to start.
 */
export function tlsSettings(config: Config, material: TlsMaterial = {}): TlsSettings {
  const certFile = config.get('tls-cert-file');
  const keyFile = config.get('tls-key-file');
  const caFile = config.get('tls-ca-cert-file');
  const caDir = config.get('tls-ca-cert-dir');
  const clientAuth = config.get('tls-auth-clients') as TlsClientAuth;
  if (!material.cert && !certFile) throw new TlsConfigError('No tls-cert-file configured!');
  if (!material.key && !keyFile) throw new TlsConfigError('No tls-key-file configured!');
  const verifiesPeers =
    clientAuth !== 'no' || config.get('tls-cluster') === 'yes' || config.get('tls-replication') === 'yes';
  if (verifiesPeers && !material.ca && !caFile && !caDir) {
    throw new TlsConfigError(
      'Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!',
    );
  }
  const context: SecureContextOptions = {
    cert: material.cert ?? readPem(certFile, 'certificate'),
    key: material.key ?? readPem(keyFile, 'private key'),
    ...protocolRange(config.get('tls-protocols')),
  };
  const passphrase = material.passphrase ?? config.get('tls-key-file-pass');
  if (passphrase) context.passphrase = passphrase;
  const ca: Array<string | Buffer> = [];
  if (material.ca) ca.push(...(Array.isArray(material.ca) ? material.ca : [material.ca]));
  if (caFile) ca.push(readPem(caFile, 'CA certificate(s) file'));
  if (caDir) ca.push(...readCaDir(caDir));
  if (ca.length > 0) context.ca = ca;
  // Node takes TLS 1.2 ciphers and TLS 1.3 suites in one list.
  const ciphers = [config.get('tls-ciphersuites'), config.get('tls-ciphers')].filter((c) => c !== '');
  if (ciphers.length > 0) context.ciphers = ciphers.join(':');
  if (config.get('tls-prefer-server-ciphers') === 'yes') context.honorCipherOrder = true;
  const dhFile = config.get('tls-dh-params-file');
  if (dhFile) context.dhparam = readPem(dhFile, 'DH params file');
  context.sessionTimeout =
    config.get('tls-session-caching') === 'yes' ? config.number('tls-session-cache-timeout') : 0;
  try {
    // Loads the certificate, key (with its passphrase), CAs and ciphers now, so a bad one fails here.
    createSecureContext(context);
  } catch (error) {
    throw new TlsConfigError(`Failed to configure TLS: ${(error as Error).message}`);
  }
  return { context, clientAuth };
}

/** The parameters whose CONFIG SET rebuilds the TLS context (Redis's applyTlsCfg). */
export const TLS_PARAMETERS = [
  'tls-session-cache-size',
  'tls-session-cache-timeout',
  'tls-cluster',
  'tls-replication',
  'tls-prefer-server-ciphers',
  'tls-session-caching',
  'tls-cert-file',
  'tls-key-file',
  'tls-key-file-pass',
  'tls-client-cert-file',
  'tls-client-key-file',
  'tls-client-key-file-pass',
  'tls-dh-params-file',
  'tls-ca-cert-file',
  'tls-ca-cert-dir',
  'tls-protocols',
  'tls-ciphers',
  'tls-ciphersuites',
];
