import { readFileSync } from 'node:fs';
import path from 'node:path';
import { requirementNames, type MethodRule } from 'azure-functions-entra-auth';
import { loadDeclaredPermissions } from '../../lib/app/permissions';
import { appRoutes } from '../../lib/app/routeTable';
const DECLARED_PERMISSIONS = loadDeclaredPermissions();

const ROUTES = appRoutes(loadDeclaredPermissions());

/** infra/permissions.json is the one source of truth for roles and scopes, for Entra and for the code. */

function usedBy(field: 'appRoles' | 'scopes'): Set<string> {
  const names = new Set<string>();
  for (const entry of Object.values(ROUTES)) {
    if (!('policy' in entry)) continue;
    for (const rule of Object.values(entry.policy) as MethodRule[]) {
      if ('anyValidToken' in rule) continue;
      const requirement = field === 'appRoles' ? rule.appRoles : rule.scopes;
      if (requirement) for (const name of requirementNames(requirement)) names.add(name);
      if (field === 'appRoles' && rule.userRoles) for (const name of requirementNames(rule.userRoles)) names.add(name);
    }
  }
  return names;
}

describe('permissions: code and Entra agree', () => {
  it('the code reads the same file the Bicep loads', () => {
    type Entry = { value: string; isEnabled?: boolean };
    const file = JSON.parse(readFileSync(path.join(__dirname, '../../infra/permissions.json'), 'utf8')) as { appRoles: Entry[]; scopes: Entry[] };
    const enabled = (list: Entry[]) => list.filter((entry) => entry.isEnabled !== false).map((entry) => entry.value);
    expect(DECLARED_PERMISSIONS.appRoles).toEqual(enabled(file.appRoles));
    expect(DECLARED_PERMISSIONS.scopes).toEqual(enabled(file.scopes));
  });

  it.each(['appRoles', 'scopes'] as const)('every %s name a policy demands is declared', (field) => {
    const declared: readonly string[] = DECLARED_PERMISSIONS[field];
    expect([...usedBy(field)].filter((name) => !declared.includes(name))).toEqual([]);
  });

  it.each(['appRoles', 'scopes'] as const)('every declared %s name is used by some policy', (field) => {
    const used = usedBy(field);
    expect(DECLARED_PERMISSIONS[field].filter((name) => !used.has(name))).toEqual([]);
  });
});
