import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { OPENSSL_CONFIG } from './opensslConfig';
import { runOpenssl } from './openssl';

/** The local CA and the loopback server certificate it signed, as files and as PEM text. */
export interface LocalTls {
  readonly dir: string;
  /** Point NODE_EXTRA_CA_CERTS (or curl --cacert) here to trust the dev servers. */
  readonly caPath: string;
  readonly caCertPem: string;
  /**
   * The system roots followed by ca.pem: for callers that take one bundle in place of the
   * system store (REQUESTS_CA_BUNDLE for Python requests/MSAL, SSL_CERT_FILE for .NET and OpenSSL).
   */
  readonly bundlePath: string;
  readonly certPath: string;
  readonly certPem: string;
  readonly keyPath: string;
  readonly keyPem: string;
}

export interface LocalTlsOptions {
  /** The dev state directory; the material lives in `<stateDir>/tls/`. */
  readonly stateDir: string;
  readonly openssl?: string | undefined;
  /** Milliseconds since the epoch; decides whether existing certificates are still good. */
  readonly now?: () => number;
}

/** The names every dev server certificate covers. */
export const LOOPBACK_NAMES = { ips: ['127.0.0.1', '::1'], hosts: ['localhost'] } as const;

const FILES = { bundle: 'ca-bundle.pem', ca: 'ca.pem', caKey: 'ca-key.pem', cert: 'server.pem', key: 'server-key.pem', config: 'openssl.cnf' } as const;
const CA_DAYS = 3650;
/** Kept within what browsers accept for a leaf, should anyone open the stand-in in one. */
const SERVER_DAYS = 397;
/** Certificates this close to expiry are replaced at start rather than failing mid-session. */
const RENEW_BEFORE_MS = 7 * 24 * 60 * 60 * 1000;

interface Pair {
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * Returns the dev TLS material, creating it with `openssl` on first use: a small CA
 * (`ca.pem`) and a server certificate for 127.0.0.1, localhost and ::1 signed by it.
 * Later calls reuse the files; an expiring or unusable server certificate is
 * re-issued from the same CA, so whatever already trusts ca.pem keeps working.
 */
export async function ensureLocalTls(options: LocalTlsOptions): Promise<LocalTls> {
  const dir = join(options.stateDir, 'tls');
  const now = options.now?.() ?? Date.now();
  await mkdir(options.stateDir, { recursive: true });

  let ca = await readPair(join(dir, FILES.ca), join(dir, FILES.caKey));
  if (!ca || !isUsableCa(ca, now)) {
    await createTlsDirectory(options, dir);
    ca = await readPair(join(dir, FILES.ca), join(dir, FILES.caKey));
    if (!ca) throw new Error(`the local CA in ${dir} could not be read after creating it`);
  }
  const server = await readPair(join(dir, FILES.cert), join(dir, FILES.key));
  const leaf = server && isUsableServerCert(server, ca, now) ? server : await issueServerCertificate(options, dir);
  // Rewritten on every call, so it follows a rotated CA and the current system roots.
  await writeBundle(dir, ca.certPem);
  return {
    dir,
    caPath: join(dir, FILES.ca),
    caCertPem: ca.certPem,
    bundlePath: join(dir, FILES.bundle),
    certPath: join(dir, FILES.cert),
    certPem: leaf.certPem,
    keyPath: join(dir, FILES.key),
    keyPem: leaf.keyPem,
  };
}

/**
 * Builds a complete CA + server set in a scratch directory and moves it into place
 * in one rename, so a second process starting at the same moment either sees
 * nothing or a complete set, never a CA whose key belongs to another certificate.
 */
async function createTlsDirectory(options: LocalTlsOptions, dir: string): Promise<void> {
  const scratch = `${dir}.${randomBytes(6).toString('hex')}.tmp`;
  await mkdir(scratch, { recursive: true, mode: 0o700 });
  try {
    await writeFile(join(scratch, FILES.config), OPENSSL_CONFIG);
    const cn = `${CA_CN_PREFIX} ${randomBytes(4).toString('hex')}`;
    await runOpenssl(
      ['req', '-x509', '-new', ...EC_KEY, '-nodes', '-sha256', '-days', String(CA_DAYS), '-config', FILES.config, '-extensions', 'ca_ext', '-subj', `/CN=${cn}`, '-keyout', FILES.caKey, '-out', FILES.ca],
      { openssl: options.openssl, cwd: scratch },
    );
    await signServerCertificate(options, scratch);
    await rm(join(scratch, FILES.config));
    await rm(dir, { recursive: true, force: true });
    try {
      await rename(scratch, dir);
    } catch (error) {
      // Another process won the race; its set is as good as ours.
      if (!isCode(error, 'EEXIST', 'ENOTEMPTY')) throw error;
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Issues a fresh server certificate from the existing CA and swaps it in (key first, then certificate). */
async function issueServerCertificate(options: LocalTlsOptions, dir: string): Promise<Pair> {
  const scratch = `${dir}.${randomBytes(6).toString('hex')}.tmp`;
  await mkdir(scratch, { recursive: true, mode: 0o700 });
  try {
    await writeFile(join(scratch, FILES.config), OPENSSL_CONFIG);
    for (const file of [FILES.ca, FILES.caKey]) await writeFile(join(scratch, file), await readFile(join(dir, file)));
    await signServerCertificate(options, scratch);
    await rename(join(scratch, FILES.key), join(dir, FILES.key));
    await rename(join(scratch, FILES.cert), join(dir, FILES.cert));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const pair = await readPair(join(dir, FILES.cert), join(dir, FILES.key));
  if (!pair) throw new Error(`the server certificate in ${dir} could not be read after issuing it`);
  return pair;
}

/**
 * The system roots for ca-bundle.pem: the first existing file the environment already names
 * (REQUESTS_CA_BUNDLE, then SSL_CERT_FILE, then NODE_EXTRA_CA_CERTS), since that is what callers
 * on this machine trust today (often a corporate bundle); else Node's built-in tls.rootCertificates
 * (the Mozilla set). Stand-in CAs are left out of the source (a bundle of ours, or
 * NODE_EXTRA_CA_CERTS pointing at ca.pem, as the dev tools suggest), and a file holding nothing
 * else is passed over, so the bundle never ends up without system roots.
 */
export function systemRoots(env: NodeJS.ProcessEnv = process.env): { source: string; pem: string } {
  for (const name of ['REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE', 'NODE_EXTRA_CA_CERTS']) {
    const file = env[name];
    if (!file || !existsSync(file)) continue;
    const roots = pemCertificates(readFileSync(file, 'utf8')).filter((pem) => !isStandinCa(pem));
    if (roots.length > 0) return { source: `${name}=${file}`, pem: roots.join('\n') };
  }
  return { source: 'node:tls rootCertificates', pem: rootCertificates.join('\n') };
}

const CA_CN_PREFIX = 'Entra stand-in local dev CA';

function pemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function isStandinCa(pem: string): boolean {
  try {
    return new X509Certificate(pem).subject.includes(`CN=${CA_CN_PREFIX}`);
  } catch {
    return true; // unreadable: not worth carrying into the bundle
  }
}

const BUNDLE_MARK = '# Entra stand-in combined bundle';

/** Writes `<dir>/ca-bundle.pem` (system roots + the stand-in CA) through a rename, so readers never see half a file. */
async function writeBundle(dir: string, caCertPem: string): Promise<void> {
  const roots = systemRoots();
  const text = `${BUNDLE_MARK}: system roots from ${roots.source}, then this stand-in's ca.pem.\n${roots.pem.trimEnd()}\n${BUNDLE_MARK}: the stand-in's local dev CA (ca.pem)\n${caCertPem.trimEnd()}\n`;
  const target = join(dir, FILES.bundle);
  const existing = await readFile(target, 'utf8').catch(() => undefined);
  if (existing === text) return;
  const scratch = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(scratch, text, { mode: 0o644 });
  await rename(scratch, target);
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];

async function signServerCertificate(options: LocalTlsOptions, cwd: string): Promise<void> {
  const run = (args: string[]) => runOpenssl(args, { openssl: options.openssl, cwd });
  await run(['req', '-new', ...EC_KEY, '-nodes', '-config', FILES.config, '-subj', '/CN=localhost', '-keyout', FILES.key, '-out', 'server.csr']);
  // A random positive serial: two certificates from this CA must never share one.
  const serial = randomBytes(16);
  serial.writeUInt8((serial.readUInt8(0) & 0x7f) | 0x10, 0);
  await run([
    'x509', '-req', '-in', 'server.csr', '-CA', FILES.ca, '-CAkey', FILES.caKey, '-set_serial', `0x${serial.toString('hex')}`, '-sha256', '-days', String(SERVER_DAYS),
    '-extfile', FILES.config, '-extensions', 'server_ext', '-out', FILES.cert,
  ]);
  await Promise.all([chmod(join(cwd, FILES.key), 0o600), chmod(join(cwd, FILES.caKey), 0o600), rm(join(cwd, 'server.csr'))]);
}

async function readPair(certPath: string, keyPath: string): Promise<Pair | undefined> {
  try {
    return { certPem: await readFile(certPath, 'utf8'), keyPem: await readFile(keyPath, 'utf8') };
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

function isUsableCa(ca: Pair, now: number): boolean {
  try {
    const cert = new X509Certificate(ca.certPem);
    return cert.ca && cert.checkPrivateKey(createPrivateKey(ca.keyPem)) && Date.parse(cert.validTo) - RENEW_BEFORE_MS > now;
  } catch {
    return false;
  }
}

function isUsableServerCert(server: Pair, ca: Pair, now: number): boolean {
  try {
    const cert = new X509Certificate(server.certPem);
    const issuer = new X509Certificate(ca.certPem);
    return (
      cert.checkIssued(issuer) &&
      cert.verify(issuer.publicKey) &&
      cert.checkPrivateKey(createPrivateKey(server.keyPem)) &&
      LOOPBACK_NAMES.ips.every((ip) => cert.checkIP(ip) !== undefined) &&
      LOOPBACK_NAMES.hosts.every((host) => cert.checkHost(host) !== undefined) &&
      Date.parse(cert.validTo) - RENEW_BEFORE_MS > now
    );
  } catch {
    return false;
  }
}

/** Checks a Node system error's code without `instanceof` (errors may come from another realm, as under Jest). */
function isCode(error: unknown, ...codes: string[]): boolean {
  const code = typeof error === 'object' && error !== null ? (error as NodeJS.ErrnoException).code : undefined;
  return code !== undefined && codes.includes(code);
}
