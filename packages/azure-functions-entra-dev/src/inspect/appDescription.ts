import { fork } from 'node:child_process';
import path from 'node:path';
import type { AuthPolicy, AuthSettings } from 'azure-functions-entra-auth';

/** One function the app registered, and what the auth package enforces on it (none for a handler it does not guard). */
export interface DescribedRoute {
  readonly name: string;
  /** The route template under the prefix, e.g. orders/{id}. */
  readonly route: string;
  readonly methods: readonly string[];
  /** The Functions host's own level: anonymous, function or admin (a function key). */
  readonly authLevel: string;
  readonly protection?: { readonly policy: AuthPolicy; readonly settings: AuthSettings; readonly realm: string };
}

export interface AppDescription {
  readonly routePrefix: string;
  readonly routes: readonly DescribedRoute[];
}

export type AppDescriptionMessage = { readonly ok: true; readonly app: AppDescription } | { readonly ok: false; readonly error: string };

/** The app as loaded, or why it could not be (the inspector still checks the token then). */
export type LoadedDescription = { readonly ok: true; readonly app: AppDescription } | { readonly ok: false; readonly reason: string };

/**
 * Loads the built app in a child process with `environment` (the app's settings applied
 * as Core Tools applies them) and reads its routes. Bounded: an app that neither
 * answers nor exits within `timeoutMs` is reported, not waited for.
 */
export function describeApp(appRoot: string, environment: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<LoadedDescription> {
  return new Promise((resolve) => {
    const child = fork(path.join(__dirname, 'describeAppWorker.js'), [appRoot], { cwd: appRoot, env: environment, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 4_000) stderr += chunk.toString('utf8');
    });
    let settled = false;
    const settle = (result: LoadedDescription) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle({ ok: false, reason: `the app did not finish loading within ${String(timeoutMs / 1000)} s` });
    }, timeoutMs);
    child.on('message', (message: AppDescriptionMessage) => {
      settle(message.ok ? { ok: true, app: message.app } : { ok: false, reason: message.error });
    });
    child.on('error', (error) => {
      settle({ ok: false, reason: `cannot start the app's loader: ${error.message}` });
    });
    child.on('exit', (code, signal) => {
      // The line that names the error (Node ends a crash with its version line, which says nothing).
      const lines = stderr.trim().split('\n');
      const last = lines.find((line) => /^\w*Error\b/.test(line.trim())) ?? lines.slice(-1)[0] ?? '';
      settle({ ok: false, reason: `the app's loader exited (${signal ?? `code ${String(code)}`}) before describing the app${last ? `: ${last.slice(0, 300)}` : ''}` });
    });
  });
}
