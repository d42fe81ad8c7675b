/**
 * Child process of `entra-dev inspect`: loads the app as the Functions worker does (its
 * composition root runs, with local.settings.json applied by the parent) and sends back
 * the routes it registered and, for each protected one, what it enforces, read from the
 * handler through the auth package. In a child so the app's module state, timers and
 * environment never touch the inspector's process.
 */
import { describeProtectedHandler } from 'azure-functions-entra-auth';
import { loadFunctionApp } from '../host/loadFunctionApp';
import type { AppDescription, AppDescriptionMessage } from './appDescription';

function describe(appRoot: string): AppDescription {
  const app = loadFunctionApp(appRoot);
  return {
    routePrefix: app.routePrefix,
    routes: app.functions.map((fn) => {
      const protection = describeProtectedHandler(fn.handler);
      return {
        name: fn.name,
        route: fn.route,
        methods: [...fn.methods],
        authLevel: fn.authLevel,
        ...(protection && { protection: { policy: protection.policy, settings: protection.settings, realm: protection.realm } }),
      };
    }),
  };
}

function send(message: AppDescriptionMessage): void {
  // The app may keep timers or sockets open: exit once the parent has the answer.
  process.send?.(message, () => process.exit(0));
}

try {
  send({ ok: true, app: describe(process.argv[2] ?? process.cwd()) });
} catch (error) {
  // The app's own start-up error (a missing setting, a missing build): its name and message, never a stack.
  send({ ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
}
