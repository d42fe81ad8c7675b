import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { SignerSettings } from '../config/signingSettings';

/**
 * The identity that signs in Key Vault. In Azure: the app's managed identity, and
 * only it (a user-assigned one when AZURE_CLIENT_ID names it), so a deployed app
 * never picks up some other credential from its environment. Elsewhere:
 * DefaultAzureCredential, so a developer's `az login` works against a real vault.
 */
export function createSigningCredential(signer: Extract<SignerSettings, { kind: 'keyVault' }>): TokenCredential {
  if (signer.runningInAzure) {
    return signer.managedIdentityClientId === undefined
      ? new ManagedIdentityCredential()
      : new ManagedIdentityCredential({ clientId: signer.managedIdentityClientId });
  }
  return signer.managedIdentityClientId === undefined
    ? new DefaultAzureCredential()
    : new DefaultAzureCredential({ managedIdentityClientId: signer.managedIdentityClientId });
}
