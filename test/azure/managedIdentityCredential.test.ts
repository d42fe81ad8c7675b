import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { ManagedIdentityStandin } from '../../dev/ingestion-standin/managedIdentityStandin';
import { createAppCredential, createManagedIdentityCredential } from '../../lib/azure/managedIdentityCredential';

const USER_ASSIGNED = '0f5a2f0e-7a56-4f0b-9a55-1f3c2b1e9d01';
const STORAGE = 'https://storage.azure.com/.default';

/** The App Service managed identity endpoint, stood in for on 127.0.0.1 (the credential reads it from the environment). */
let identity: ManagedIdentityStandin;
const saved = { ...process.env };

beforeAll(async () => {
  identity = await ManagedIdentityStandin.start();
  Object.assign(process.env, identity.environment);
});

afterAll(async () => {
  process.env = saved;
  await identity.stop();
});

describe('the credential the app uses for Azure services', () => {
  it('in Azure is the user-assigned managed identity named by its client ID', async () => {
    const credential = createAppCredential({ runningInAzure: true, clientId: USER_ASSIGNED });
    expect(credential).toBeInstanceOf(ManagedIdentityCredential);
    const token = await credential.getToken(STORAGE);
    expect(identity.requests.at(-1)).toMatchObject({ clientId: USER_ASSIGNED, resource: 'https://storage.azure.com', token: token?.token });
  });

  it('in Azure without a client ID is the system-assigned managed identity', async () => {
    const credential = createAppCredential({ runningInAzure: true, clientId: undefined });
    expect(credential).toBeInstanceOf(ManagedIdentityCredential);
    const token = await credential.getToken(STORAGE);
    expect(identity.requests.at(-1)).toMatchObject({ clientId: undefined, token: token?.token });
  });

  it('outside Azure is DefaultAzureCredential, so a developer\'s az login works', () => {
    expect(createAppCredential({ runningInAzure: false, clientId: undefined })).toBeInstanceOf(DefaultAzureCredential);
    expect(createAppCredential({ runningInAzure: false, clientId: USER_ASSIGNED })).toBeInstanceOf(DefaultAzureCredential);
  });

  it('is the managed identity alone when asked for it (Authorization=AAD ingestion), wherever the app runs', async () => {
    const credential = createManagedIdentityCredential(USER_ASSIGNED);
    expect(credential).toBeInstanceOf(ManagedIdentityCredential);
    await credential.getToken('https://monitor.azure.com/.default');
    expect(identity.requests.at(-1)).toMatchObject({ clientId: USER_ASSIGNED, resource: 'https://monitor.azure.com' });
  });
});
