import Module from 'node:module';
import type { HttpHandler } from '@azure/functions';

/**
 * A stand-in for `@azure/functions-core`, the module the Azure Functions Node.js
 * worker provides to `@azure/functions`. With it installed, `app.http(...)` calls in
 * the function modules register here exactly as they would with the real worker,
 * so the dev host serves the same registrations `func start` would load.
 */
export interface HttpFunctionRegistration {
  readonly name: string;
  readonly route: string;
  readonly methods: readonly string[];
  readonly authLevel: string;
  readonly handler: HttpHandler;
}

interface RpcBinding {
  readonly type?: string;
  readonly direction?: string;
  readonly route?: string;
  readonly methods?: readonly string[];
  readonly authLevel?: string;
}

interface FunctionMetadata {
  readonly name: string;
  readonly bindings: Readonly<Record<string, RpcBinding>>;
}

/** appTerminate hooks the app registered (app.hook.appTerminate), run by the worker before it exits, as the real worker does. */
export type TerminateHook = (context: { hookData: Record<string, unknown> }) => unknown;
/** appStart hooks (app.hook.appStart), run and awaited by the worker once the entry files are loaded, before it serves. */
export type StartHook = TerminateHook;

export function installFunctionsCore(terminateHooks: TerminateHook[] = [], startHooks: StartHook[] = []): HttpFunctionRegistration[] {
  const registrations: HttpFunctionRegistration[] = [];
  const core = {
    version: 'dev-host',
    hostVersion: 'dev-host',
    setProgrammingModel: () => undefined,
    getProgrammingModel: () => undefined,
    registerHook(name: string, callback: TerminateHook) {
      const hooks = name === 'appTerminate' ? terminateHooks : name === 'appStart' ? startHooks : undefined;
      if (!hooks) return { dispose: () => undefined };
      hooks.push(callback);
      return { dispose: () => void hooks.splice(hooks.indexOf(callback), 1) };
    },
    log: () => undefined,
    registerFunction(metadata: FunctionMetadata, handler: HttpHandler) {
      const trigger = Object.values(metadata.bindings).find((binding) => binding.direction === 'in' && binding.type === 'httpTrigger');
      if (!trigger) throw new Error(`dev host: function "${metadata.name}" is not HTTP-triggered; only HTTP functions are served`);
      registrations.push({
        name: metadata.name,
        route: trigger.route ?? metadata.name,
        methods: (trigger.methods ?? ['GET', 'POST']).map((method) => method.toUpperCase()),
        authLevel: trigger.authLevel ?? 'function',
        handler,
      });
      return { dispose: () => undefined };
    },
  };
  // The real worker provides the module the same way: by answering its require.
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = loader._load;
  loader._load = function load(this: unknown, request: string, ...rest: unknown[]) {
    return request === '@azure/functions-core' ? core : original.call(this, request, ...rest);
  };
  return registrations;
}
