import type { TokenCredential } from '@azure/identity';

/** Whom the app authenticates as to an Azure service. */
export interface AppIdentity {
  /** From the host environment (readHostEnvironment of azure-functions-entra-auth/settings), decided once at startup. */
  readonly runningInAzure: boolean;
  /** A user-assigned managed identity's client ID; undefined for the system-assigned one. */
  readonly clientId: string | undefined;
}

/**
 * The Functions convention for identity-based connections. In Azure: the app's managed
 * identity and only it, so a deployed app never picks up some other credential from its
 * environment. Elsewhere: DefaultAzureCredential, so a developer's `az login` works
 * against real resources.
 */
export function createAppCredential(identity: AppIdentity): TokenCredential {
  if (identity.runningInAzure) return createManagedIdentityCredential(identity.clientId);
  const { DefaultAzureCredential } = loadIdentity();
  return identity.clientId === undefined ? new DefaultAzureCredential() : new DefaultAzureCredential({ managedIdentityClientId: identity.clientId });
}

/** The managed identity alone, wherever the app runs: user-assigned by client ID, or system-assigned. */
export function createManagedIdentityCredential(clientId: string | undefined): TokenCredential {
  const { ManagedIdentityCredential } = loadIdentity();
  return clientId === undefined ? new ManagedIdentityCredential() : new ManagedIdentityCredential({ clientId });
}

/** Required on first use, not imported: @azure/identity takes tens of ms to load, and routes that never call Azure never need it. */
function loadIdentity(): typeof import('@azure/identity') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy, see above
  return require('@azure/identity') as typeof import('@azure/identity');
}
