/**
 * A child-process program (transpiled and run by runRealClients.ts, never imported by
 * Jest): real Microsoft client libraries acquire tokens from the Entra stand-in.
 * It trusts the stand-in only through NODE_EXTRA_CA_CERTS, the documented mechanism,
 * which Node reads at process start. Writes the outcomes as JSON to input.outputFile.
 * Imports nothing of ours: it is transpiled on its own.
 */
import { writeFile } from 'node:fs/promises';
import { ClientSecretCredential } from '@azure/identity';
import { ConfidentialClientApplication, type Configuration } from '@azure/msal-node';

export type ClientLibrary = 'identity' | 'msal' | 'msal-cloud-discovery';

export interface ClientScenario {
  readonly name: string;
  readonly library: ClientLibrary;
  readonly clientId: string;
  readonly secret: string;
  readonly scope: string;
}

export interface ClientProgramInput {
  readonly url: string;
  readonly tenantId: string;
  readonly scenarios: readonly ClientScenario[];
  readonly outputFile: string;
}

export type ClientOutcome =
  | { readonly name: string; readonly ok: true; readonly token: string; readonly expiresOnMs: number }
  | {
      readonly name: string;
      readonly ok: false;
      readonly errorName: string;
      readonly message: string;
      /** MSAL's ServerError.errorCode / identity's errorResponse.error: Entra's OAuth error. */
      readonly oauthError: string | undefined;
      /** MSAL's ServerError.errorNo: the AADSTS number. */
      readonly errorNo: string | undefined;
    };

/**
 * @azure/identity with the stand-in as authorityHost. disableInstanceDiscovery is its
 * one extra option: otherwise MSAL asks login.microsoftonline.com whether the host is
 * a known cloud, which no local stand-in can answer.
 */
async function withIdentity(input: ClientProgramInput, scenario: ClientScenario): Promise<{ token: string; expiresOnMs: number }> {
  const credential = new ClientSecretCredential(input.tenantId, scenario.clientId, scenario.secret, {
    authorityHost: input.url,
    disableInstanceDiscovery: true,
  });
  const token = await credential.getToken(scenario.scope);
  return { token: token.token, expiresOnMs: token.expiresOnTimestamp };
}

/**
 * @azure/msal-node with authority = stand-in/tenant. Its one extra option tells MSAL
 * the host is trusted: knownAuthorities, or (msal-cloud-discovery) the stand-in's own
 * instance-discovery answer as cloudDiscoveryMetadata.
 */
async function withMsal(input: ClientProgramInput, scenario: ClientScenario): Promise<{ token: string; expiresOnMs: number }> {
  const authority = `${input.url}/${input.tenantId}`;
  const trust: Partial<Configuration['auth']> =
    scenario.library === 'msal'
      ? { knownAuthorities: [new URL(input.url).host] }
      : { cloudDiscoveryMetadata: await instanceDiscovery(input.url, authority) };
  const app = new ConfidentialClientApplication({ auth: { clientId: scenario.clientId, clientSecret: scenario.secret, authority, ...trust } });
  const result = await app.acquireTokenByClientCredential({ scopes: [scenario.scope] });
  if (!result) throw new Error('MSAL returned no result');
  return { token: result.accessToken, expiresOnMs: result.expiresOn?.getTime() ?? 0 };
}

async function instanceDiscovery(url: string, authority: string): Promise<string> {
  const query = new URLSearchParams({ 'api-version': '1.1', authorization_endpoint: `${authority}/oauth2/v2.0/authorize` });
  const response = await fetch(`${url}/common/discovery/instance?${query.toString()}`);
  if (!response.ok) throw new Error(`instance discovery answered HTTP ${response.status}`);
  return response.text();
}

async function run(input: ClientProgramInput, scenario: ClientScenario): Promise<ClientOutcome> {
  try {
    const got = scenario.library === 'identity' ? await withIdentity(input, scenario) : await withMsal(input, scenario);
    return { name: scenario.name, ok: true, ...got };
  } catch (error) {
    const details = (error ?? {}) as { name?: unknown; message?: unknown; errorCode?: unknown; errorNo?: unknown; errorResponse?: { error?: unknown } };
    const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : undefined);
    return {
      name: scenario.name,
      ok: false,
      errorName: text(details.name) ?? 'Error',
      message: text(details.message) ?? String(error),
      oauthError: text(details.errorCode) ?? text(details.errorResponse?.error),
      errorNo: text(details.errorNo),
    };
  }
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as ClientProgramInput;
  const outcomes = await Promise.all(input.scenarios.map((scenario) => run(input, scenario)));
  await writeFile(input.outputFile, JSON.stringify(outcomes));
}

if (process.env.REAL_CLIENTS_PROGRAM === '1') {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
