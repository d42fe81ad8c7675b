import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runningStandinFile, signingKeyFile } from '../../packages/azure-functions-entra-dev/src/standin/devPaths';
import { obtainAccessToken, requestClientCredentialsToken } from '../../packages/azure-functions-entra-dev/src/standin/obtainAccessToken';
import { startEntraStandin, StandinStartError } from '../../packages/azure-functions-entra-dev/src/standin/server';
import { SigningKeyFileError } from '../../packages/azure-functions-entra-dev/src/standin/signingKeys';
import { findRunningStandin, launchEntraStandin, readStandinRecords } from '../../packages/azure-functions-entra-dev/src/standin/standinState';
import { ensureLocalTls } from '../../packages/azure-functions-entra-dev/src/tls/localTls';
import { OpensslError } from '../../packages/azure-functions-entra-dev/src/tls/openssl';
import { createCaTrustingFetch } from '../../packages/azure-functions-entra-dev/src/tls/caTrustingFetch';
import { loadAuthSettings } from 'azure-functions-entra-auth';
import { createAccessTokenVerifier } from 'azure-functions-entra-auth';
import { readJwt } from './support/standinHarness';

const V1_API = { clientId: 'de700000-0000-4000-8000-0000000a0002', appIdUri: 'api://orders-api-v1' };

let workDir: string;
beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'entra-standin-life-'));
});
afterEach(() => rm(workDir, { recursive: true, force: true }));

const stateDir = () => join(workDir, 'state');

function v1Verifier(url: string, tenantId: string, caCertPem: string) {
  const settings = loadAuthSettings({ AUTH_TENANT_ID: tenantId, AUTH_CLIENT_ID: V1_API.clientId, AUTH_APP_ID_URI: V1_API.appIdUri, AUTH_INSTANCE: url });
  return createAccessTokenVerifier(settings, { fetch: createCaTrustingFetch(caCertPem), cacheSize: 0 });
}

async function isListening(url: string, caCertPem: string): Promise<boolean> {
  try {
    await createCaTrustingFetch(caCertPem)(`${url}/_standin/health`);
    return true;
  } catch {
    return false;
  }
}

describe('a launched stand-in and its own record', () => {
  it('announces itself in a record named by its pid and port, serves the token script, and removes that record when stopped', async () => {
    const launched = await launchEntraStandin({ stateDir: stateDir(), port: 0 });
    let stopped = false;
    try {
      expect(launched.record.stateFile).toBe(runningStandinFile(stateDir(), process.pid, launched.standin.port));
      const records = await readStandinRecords(stateDir());
      expect(records).toEqual([launched.record]);
      expect(launched.record).toMatchObject({ url: launched.standin.url, tenantId: 'de700000-0000-4000-8000-000000000001', caPath: join(stateDir(), 'tls', 'ca.pem'), pid: process.pid });
      expect(await findRunningStandin(stateDir(), launched.standin.port)).toEqual(launched.record);

      const token = await obtainAccessToken({ stateDir: stateDir(), clientName: 'writer', apiName: 'orders-api', port: launched.standin.port });
      expect(token).toMatchObject({ via: 'running', url: launched.standin.url, standin: launched.record, others: [] });
      expect(readJwt(token.accessToken).payload).toMatchObject({ iss: `${launched.standin.url}/${launched.standin.tenantId}/v2.0`, roles: ['Orders.ReadWrite'] });

      await launched.stop();
      stopped = true;
      expect(await readStandinRecords(stateDir())).toEqual([]);
      expect(await findRunningStandin(stateDir())).toBeUndefined();
    } finally {
      if (!stopped) await launched.stop();
    }
  });

  it('ignores a record whose port now answers for another process, and removes the record of a dead one', async () => {
    const launched = await launchEntraStandin({ stateDir: stateDir(), port: 0 });
    try {
      // Same port and state, but another pid: as after a restart on the same port.
      const impostor = runningStandinFile(stateDir(), 1, launched.standin.port);
      await writeFile(impostor, JSON.stringify({ ...launched.record, pid: 1, stateFile: impostor }));
      // A pid no process has (above the kernel's limit): a stand-in killed with -9.
      const dead = runningStandinFile(stateDir(), 2 ** 30, 1);
      await writeFile(dead, JSON.stringify({ ...launched.record, pid: 2 ** 30, port: 1, stateFile: dead }));
      expect(await findRunningStandin(stateDir())).toEqual(launched.record);
      expect((await readStandinRecords(stateDir())).map((r) => r.stateFile).sort()).toEqual([impostor, launched.record.stateFile].sort());
    } finally {
      await launched.stop();
    }
  });

  it('without a running stand-in, the token script starts one just for the request, stops it, and the token stays valid later', async () => {
    const token = await obtainAccessToken({ stateDir: stateDir(), clientName: 'reader', apiName: 'orders-api-v1', port: 0 });
    expect(token.via).toBe('in-process');
    const tls = await ensureLocalTls({ stateDir: stateDir() });
    expect(await isListening(token.url, tls.caCertPem)).toBe(false);

    // The persisted key still signs for the stand-in started afterwards (v1 issuers do not name the port).
    const later = await startEntraStandin({ stateDir: stateDir(), port: 0 });
    try {
      const verified = await v1Verifier(later.url, later.tenantId, later.caCertPem).verify(token.accessToken);
      expect(verified.claims.roles).toEqual(['Orders.Read']);
    } finally {
      await later.stop();
    }
  });
});

describe('persistence across restarts', () => {
  it('keeps its kids (rotated ones included) and its CA, so earlier tokens still verify', async () => {
    const first = await startEntraStandin({ stateDir: stateDir(), port: 0 });
    let token: string;
    let kids: readonly string[];
    try {
      const writer = first.registry.clientByName('writer')!;
      token = (
        await requestClientCredentialsToken({
          fetch: createCaTrustingFetch(first.caCertPem),
          authority: first.authority,
          clientId: writer.clientId,
          clientSecret: writer.secret,
          scope: `${V1_API.appIdUri}/.default`,
        })
      ).accessToken;
      await first.rotateKeys();
      kids = first.signingKids();
      expect(kids).toHaveLength(2);
    } finally {
      await first.stop();
    }
    const second = await startEntraStandin({ stateDir: stateDir(), port: 0 });
    try {
      expect(second.signingKids()).toEqual(kids);
      expect(second.caCertPem).toBe(first.caCertPem);
      expect((await v1Verifier(second.url, second.tenantId, second.caCertPem).verify(token)).kid).toBe(kids[1]);
    } finally {
      await second.stop();
    }
  });

  it('refuses to start over a damaged signing-key file instead of replacing the keys', async () => {
    const file = signingKeyFile(stateDir());
    const standin = await startEntraStandin({ stateDir: stateDir(), port: 0 });
    await standin.stop();
    await writeFile(file, '{"version":1,"keys":[{"kid":"x","createdAt":"","privateKeyPem":"nope","certificatePem":"nope"}]}');
    const error = await startEntraStandin({ stateDir: stateDir(), port: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SigningKeyFileError);
    expect(error).toMatchObject({ code: 'signing_keys_invalid', file });
    expect(await readFile(file, 'utf8')).toContain('"nope"');
  });

  it('reports a taken port as port_in_use', async () => {
    const standin = await startEntraStandin({ stateDir: stateDir(), port: 0 });
    try {
      const error = await startEntraStandin({ stateDir: stateDir(), port: standin.port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StandinStartError);
      expect(error).toMatchObject({ code: 'port_in_use' });
    } finally {
      await standin.stop();
    }
  });
});

describe('local TLS material', () => {
  it('re-issues an expiring server certificate from the same CA, keeping what trusts ca.pem working', async () => {
    const first = await ensureLocalTls({ stateDir: stateDir() });
    const again = await ensureLocalTls({ stateDir: stateDir() });
    expect(again.certPem).toBe(first.certPem);

    const inAYear = await ensureLocalTls({ stateDir: stateDir(), now: () => Date.now() + 395 * 24 * 3600 * 1000 });
    expect(inAYear.caCertPem).toBe(first.caCertPem);
    expect(inAYear.certPem).not.toBe(first.certPem);
    const leaf = new X509Certificate(inAYear.certPem);
    expect(leaf.checkIssued(new X509Certificate(first.caCertPem))).toBe(true);
    expect([leaf.checkIP('127.0.0.1'), leaf.checkIP('::1'), leaf.checkHost('localhost')]).toEqual(['127.0.0.1', '::1', 'localhost']);
  });

  it('says plainly when openssl cannot be found', async () => {
    const error = await ensureLocalTls({ stateDir: stateDir(), openssl: join(workDir, 'no-such-openssl') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpensslError);
    expect(error).toMatchObject({ code: 'openssl_missing', message: expect.stringContaining('--openssl <path>') as unknown });
  });
});
