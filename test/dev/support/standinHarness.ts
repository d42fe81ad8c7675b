import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { loadAuthSettings } from 'azure-functions-entra-auth';
import { createAccessTokenVerifier } from 'azure-functions-entra-auth';
import type { AccessTokenVerifier } from 'azure-functions-entra-auth';
import { Registry, type ApiRegistration, type ClientRegistration } from '../../../packages/azure-functions-entra-dev/src/standin/registry';
import { defaultRegistryPath } from '../../../packages/azure-functions-entra-dev/src/standin/devPaths';
import { startEntraStandin, type EntraStandin, type EntraStandinOptions } from '../../../packages/azure-functions-entra-dev/src/standin/server';
import { createCaTrustingFetch, type CaTrustingFetch } from '../../../packages/azure-functions-entra-dev/src/tls/caTrustingFetch';

export interface JsonReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export interface StandinHarness {
  readonly workDir: string;
  readonly stateDir: string;
  readonly standin: EntraStandin;
  readonly registry: Registry;
  /** A fetch that trusts the stand-in's CA. */
  readonly fetch: CaTrustingFetch;
  api(name: string): ApiRegistration;
  client(name: string): ClientRegistration;
  /** This project's verifier, configured for one of the registry's APIs with AUTH_INSTANCE = the stand-in. */
  verifierFor(apiName: string, options?: { now?: () => number; cacheSize?: number }): AccessTokenVerifier;
  /** POSTs a form to the tenant's v2 token endpoint (or `path`). */
  postForm(form: Record<string, string>, options?: { headers?: Record<string, string>; path?: string }): Promise<JsonReply>;
  get(path: string, headers?: Record<string, string>): Promise<JsonReply>;
  /** A client_credentials token from the v2 endpoint, secret in the body. */
  token(clientName: string, apiName: string): Promise<string>;
  stop(): Promise<void>;
}

/** The stand-in on port 0 with a temporary state dir and the shipped registry (or the one given). */
export async function startStandinHarness(options: Partial<EntraStandinOptions> = {}): Promise<StandinHarness> {
  const workDir = await mkdtemp(join(tmpdir(), 'entra-standin-test-'));
  const stateDir = join(workDir, 'state');
  const registry = options.registry ?? (await Registry.load(defaultRegistryPath()));
  const standin = await startEntraStandin({ stateDir, port: 0, ...options, registry }).catch(async (error: unknown) => {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  });
  const fetch = createCaTrustingFetch(standin.caCertPem);
  const reply = async (response: Response): Promise<JsonReply> => ({ status: response.status, body: (await response.json()) as Record<string, unknown> });

  const harness: StandinHarness = {
    workDir,
    stateDir,
    standin,
    registry,
    fetch,
    api: (name) => registry.apiByName(name) ?? fail(`no API ${name}`),
    client: (name) => registry.clientByName(name) ?? fail(`no client ${name}`),
    verifierFor(apiName, verifierOptions = {}) {
      const api = harness.api(apiName);
      const settings = loadAuthSettings({
        AUTH_TENANT_ID: standin.tenantId,
        AUTH_CLIENT_ID: api.clientId,
        AUTH_APP_ID_URI: api.appIdUri,
        AUTH_INSTANCE: standin.url,
      });
      return createAccessTokenVerifier(settings, { fetch, ...verifierOptions });
    },
    async postForm(form, postOptions = {}) {
      const response = await fetch(`${standin.url}${postOptions.path ?? `/${standin.tenantId}/oauth2/v2.0/token`}`, {
        method: 'POST',
        headers: postOptions.headers ?? {},
        body: new URLSearchParams(form),
      });
      return reply(response);
    },
    async get(path, headers = {}) {
      return reply(await fetch(`${standin.url}${path}`, { headers }));
    },
    async token(clientName, apiName) {
      const client = harness.client(clientName);
      const { status, body } = await harness.postForm({
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: client.secret,
        scope: `${harness.api(apiName).appIdUri}/.default`,
      });
      if (status !== 200 || typeof body.access_token !== 'string') throw new Error(`token request failed: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    async stop() {
      await standin.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Header and payload of a compact JWT, unverified (for asserting shapes). */
export function readJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  return { header: decodeProtectedHeader(token), payload: decodeJwt(token) };
}

function fail(message: string): never {
  throw new Error(message);
}
