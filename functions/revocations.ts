import type { AppRuntime } from '../lib/app/runtime';
import { createRevocationApi } from '../lib/revocation/revocationApi';

// The deny list's admin API (Revocations.Manage, app-only). Under manage/, because the Functions host refuses routes starting with "admin".
export function registerRevocations({ auth, routes, revocations }: AppRuntime): void {
  if (!revocations) return;
  const api = createRevocationApi({
    store: revocations.store,
    events: revocations.events,
    limits: revocations.limits,
    ownTenantOnly: auth.settings.tenant.kind === 'multi',
  });
  auth.registerRoute(routes.revocations, { GET: api.list, POST: api.create });
  auth.registerRoute(routes.revocation, { GET: api.get, DELETE: api.remove });
}
