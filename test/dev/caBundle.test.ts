import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { ensureLocalTls, systemRoots } from '../../packages/azure-functions-entra-dev/src/tls/localTls';

/** `.dev-state/tls/ca-bundle.pem`: the system roots plus the stand-in CA, for Python (REQUESTS_CA_BUNDLE) and .NET (SSL_CERT_FILE) callers. */
const certificatesIn = (pem: string) => (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((block) => new X509Certificate(block));

let stateDir: string;
beforeAll(() => { stateDir = mkdtempSync(join(tmpdir(), 'ca-bundle-')); });
afterAll(() => { rmSync(stateDir, { recursive: true, force: true }); });

test('holds the stand-in CA and the system roots, and a TLS connection to a stand-in certificate verifies against it alone', async () => {
  const tls = await ensureLocalTls({ stateDir });
  const bundle = certificatesIn(readFileSync(tls.bundlePath, 'utf8'));
  const ca = new X509Certificate(tls.caCertPem);
  expect(bundle.filter((cert) => cert.fingerprint256 === ca.fingerprint256)).toHaveLength(1);
  const roots = certificatesIn(systemRoots().pem).map((cert) => cert.fingerprint256);
  expect(roots.length).toBeGreaterThan(0);
  expect(bundle.filter((cert) => roots.includes(cert.fingerprint256)).length).toBe(roots.length);

  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as { port: number }).port;
    const authorized = await new Promise<boolean>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(tls.bundlePath, 'utf8') }, () => {
        resolve(socket.authorized);
        socket.end();
      });
      socket.on('error', reject);
    });
    expect(authorized).toBe(true);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('follows a rotated CA: the old CA leaves the bundle, the new one is in it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ca-bundle-rotate-'));
  try {
    const first = await ensureLocalTls({ stateDir: dir });
    const rotated = await ensureLocalTls({ stateDir: dir, now: () => Date.now() + 3660 * 24 * 3600 * 1000 });
    expect(rotated.caCertPem).not.toBe(first.caCertPem);
    const bundle = readFileSync(rotated.bundlePath, 'utf8');
    expect(bundle).toContain(rotated.caCertPem.trim());
    expect(bundle).not.toContain(first.caCertPem.trim());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('takes the roots from REQUESTS_CA_BUNDLE, SSL_CERT_FILE, NODE_EXTRA_CA_CERTS in that order, else Node, leaving out stand-in CAs', () => {
  const file = join(stateDir, 'corporate.pem');
  writeFileSync(file, `${rootCertificates[0] ?? ''}\n`);
  expect(systemRoots({ SSL_CERT_FILE: file, NODE_EXTRA_CA_CERTS: '/nonexistent' }).source).toBe(`SSL_CERT_FILE=${file}`);
  expect(systemRoots({ REQUESTS_CA_BUNDLE: '/nonexistent', NODE_EXTRA_CA_CERTS: file }).source).toBe(`NODE_EXTRA_CA_CERTS=${file}`);
  expect(systemRoots({}).source).toBe('node:tls rootCertificates');
  // A bundle of ours exported as REQUESTS_CA_BUNDLE (as README suggests): its roots, without the stand-in CA.
  const ours = join(stateDir, 'tls', 'ca-bundle.pem');
  const fromOurs = systemRoots({ REQUESTS_CA_BUNDLE: ours });
  expect(fromOurs.source).toBe(`REQUESTS_CA_BUNDLE=${ours}`);
  expect(fromOurs.pem).not.toContain(readFileSync(join(stateDir, 'tls', 'ca.pem'), 'utf8').trim());
  expect(certificatesIn(fromOurs.pem).length).toBe(certificatesIn(readFileSync(ours, 'utf8')).length - 1);
  // NODE_EXTRA_CA_CERTS at ca.pem, as the dev tools suggest: no system roots there, so Node's.
  expect(systemRoots({ NODE_EXTRA_CA_CERTS: join(stateDir, 'tls', 'ca.pem') }).source).toBe('node:tls rootCertificates');
});
