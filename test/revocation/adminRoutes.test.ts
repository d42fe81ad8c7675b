import { compileRoute } from '../../packages/azure-functions-entra-dev/src/host/routeMatcher';
import { loadDeclaredPermissions } from '../../lib/app/permissions';
import { appRoutes } from '../../lib/app/routeTable';

/**
 * The Functions host refuses any route template that starts with "admin" (its own admin
 * API lives there; Azure/azure-functions-host#1781, #7634), whatever the /api prefix. The
 * dev host refuses them the same way, so such a route never works locally and then fails in Azure.
 */
describe('routes under admin', () => {
  it.each(['admin/revocations', 'Admin/x', '/admin', 'administration/rules'])('are refused by the dev host as the Functions host refuses them: %s', (template) => {
    expect(() => compileRoute(template)).toThrow('The specified route conflicts with one or more built in routes.');
  });

  it('are not refused when admin is not the first segment', () => {
    expect(compileRoute('manage/admin')('manage/admin')).toEqual({});
  });

  it('are not used by this app: the deny list is managed under manage/revocations', () => {
    const routes = Object.values(appRoutes(loadDeclaredPermissions())).map((route) => route.route);
    expect(routes).toEqual(expect.arrayContaining(['manage/revocations', 'manage/revocations/{id}']));
    for (const route of routes) expect(() => compileRoute(route)).not.toThrow();
  });
});
