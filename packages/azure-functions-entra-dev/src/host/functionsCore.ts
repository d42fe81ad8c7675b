import Module from 'node:module';
import { randomUUID } from 'node:crypto';

/**
 * A stand-in for `@azure/functions-core`, the module the Azure Functions Node.js
 * worker provides to `@azure/functions`. With it installed, `app.http(...)` calls in
 * the function modules register here exactly as they would with the real worker,
 * so the dev host serves the same registrations `func start` would load. Invocations
 * go through the app's own programming model (what `@azure/functions` hands the
 * worker with setProgrammingModel), as in Azure: the app's copy of the library builds
 * the HttpRequest and InvocationContext and converts the result, and the dev host
 * itself loads no second copy of it.
 */
export interface HttpFunctionRegistration {
  readonly name: string;
  readonly route: string;
  readonly methods: readonly string[];
  readonly authLevel: string;
  /** The app's own handler, as registered (tools read what it enforces from it). */
  readonly handler: unknown;
  /** Runs the function on one request, as the worker does over RPC. */
  readonly invoke: (request: DevHttpRequest, log: InvocationLog) => Promise<DevHttpResponse>;
}

/** An HTTP request as the host passes it to the worker (RpcHttpData): duplicate headers already joined. */
export interface DevHttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
}

/** What the function answered, as the worker returns it to the host. */
export interface DevHttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies: readonly string[];
  readonly body: Uint8Array;
}

/** A line the function (or the library on its behalf) logged through its InvocationContext. */
export type InvocationLog = (level: string, message: string) => void;

type FunctionCallback = (...args: unknown[]) => unknown;

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

/** The parts of RpcTypedData an HTTP function's input and output use. */
interface RpcTypedData {
  readonly http?: RpcHttpData;
  readonly bytes?: Uint8Array;
  readonly string?: string;
  readonly json?: string;
}

interface RpcHttpCookie {
  readonly name: string;
  readonly value: string;
  readonly domain?: { readonly value?: string } | null;
  readonly path?: { readonly value?: string } | null;
  readonly expires?: { readonly value?: { readonly seconds?: number } } | null;
  readonly secure?: { readonly value?: boolean } | null;
  readonly httpOnly?: { readonly value?: boolean } | null;
  readonly sameSite?: string | null;
  readonly maxAge?: { readonly value?: number } | null;
}

interface RpcHttpData {
  readonly method?: string;
  readonly url?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: RpcTypedData | null;
  readonly statusCode?: string;
  readonly cookies?: readonly RpcHttpCookie[];
}

interface CoreInvocationContext {
  readonly invocationId: string;
  readonly metadata: FunctionMetadata;
  readonly request: { readonly inputData: readonly { readonly name: string; readonly data: RpcTypedData }[]; readonly triggerMetadata: Readonly<Record<string, RpcTypedData>> };
  readonly state: undefined;
  readonly log: (level: string, category: string, message: string) => void;
}

interface InvocationModel {
  getArguments(): Promise<{ readonly context: unknown; readonly inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<{ readonly returnValue?: RpcTypedData | null }>;
}

interface ProgrammingModel {
  getInvocationModel(context: CoreInvocationContext): InvocationModel;
  /** Asked once at worker start: with `app.setup({ enableHttpStream: true })` it answers the HttpUri of its own HTTP proxy. */
  getCapabilities?(capabilities: Record<string, string>): Promise<Record<string, string>>;
}

/** The registrations, and the start-up handshake the worker does before the first invocation. */
export interface FunctionsCore {
  readonly registrations: HttpFunctionRegistration[];
  /**
   * Asks the programming model for its capabilities, as the worker does at init: an app
   * that enabled HTTP streaming answers with its proxy's URI, and every invocation then
   * forwards the request there (as the Functions host does) instead of passing it as RPC data.
   */
  negotiate(): Promise<void>;
}

/** appTerminate hooks the app registered (app.hook.appTerminate), run by the worker before it exits, as the real worker does. */
export type TerminateHook = (context: { hookData: Record<string, unknown> }) => unknown;
/** appStart hooks (app.hook.appStart), run and awaited by the worker once the entry files are loaded, before it serves. */
export type StartHook = TerminateHook;

export function installFunctionsCore(terminateHooks: TerminateHook[] = [], startHooks: StartHook[] = []): FunctionsCore {
  const registrations: HttpFunctionRegistration[] = [];
  let programmingModel: ProgrammingModel | undefined;
  let streamUri: string | undefined;
  const core = {
    version: 'dev-host',
    hostVersion: 'dev-host',
    setProgrammingModel: (model: ProgrammingModel) => {
      programmingModel = model;
    },
    getProgrammingModel: () => programmingModel,
    registerHook(name: string, callback: TerminateHook) {
      const hooks = name === 'appTerminate' ? terminateHooks : name === 'appStart' ? startHooks : undefined;
      if (!hooks) return { dispose: () => undefined };
      hooks.push(callback);
      return { dispose: () => void hooks.splice(hooks.indexOf(callback), 1) };
    },
    log: () => undefined,
    registerFunction(metadata: FunctionMetadata, callback: FunctionCallback) {
      const [triggerName, trigger] = Object.entries(metadata.bindings).find(([, binding]) => binding.direction === 'in' && binding.type === 'httpTrigger') ?? [];
      if (triggerName === undefined || !trigger) throw new Error(`dev host: function "${metadata.name}" is not HTTP-triggered; only HTTP functions are served`);
      registrations.push({
        name: metadata.name,
        route: trigger.route ?? metadata.name,
        methods: (trigger.methods ?? ['GET', 'POST']).map((method) => method.toUpperCase()),
        authLevel: trigger.authLevel ?? 'function',
        handler: callback,
        invoke: async (request, log) => {
          if (!programmingModel) throw new Error('dev host: the app registered a function but no programming model (@azure/functions sets one)');
          const invocationId = randomUUID();
          const model = programmingModel.getInvocationModel({
            invocationId,
            metadata,
            request: {
              inputData: [{ name: triggerName, data: { http: rpcRequest(request) } }],
              triggerMetadata: streamUri === undefined ? {} : streamTriggerMetadata(request),
            },
            state: undefined,
            log: (level, category, message) => {
              if (category !== 'system' || level !== 'debug') log(level, message);
            },
          });
          if (streamUri === undefined) {
            const { context, inputs } = await model.getArguments();
            const result = await model.invokeFunction(context, inputs, callback);
            return devResponse((await model.getResponse(context, result)).returnValue?.http);
          }
          // Streaming: the request reaches the app through its own proxy, and the answer comes back the same way.
          const proxy = new AbortController();
          const answered = forwardToProxy(streamUri, invocationId, request, proxy.signal);
          try {
            const { context, inputs } = await model.getArguments();
            const result = await model.invokeFunction(context, inputs, callback);
            await model.getResponse(context, result);
          } catch (error) {
            proxy.abort();
            answered.catch(() => undefined);
            throw error;
          }
          return answered;
        },
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
  return {
    registrations,
    async negotiate() {
      const capabilities = (await programmingModel?.getCapabilities?.({})) ?? {};
      streamUri = capabilities.HttpUri;
    },
  };
}

/** What the host passes with a streamed invocation: the headers and route parameters as trigger metadata. */
function streamTriggerMetadata(request: DevHttpRequest): Record<string, RpcTypedData> {
  const metadata: Record<string, RpcTypedData> = { Headers: { json: JSON.stringify(request.headers) } };
  for (const [name, value] of Object.entries(request.params)) metadata[name] = { string: value };
  return metadata;
}

/** Sends the request to the app's HTTP proxy as the Functions host does (invocation ID, forwarded host and scheme) and reads the answer. */
async function forwardToProxy(streamUri: string, invocationId: string, request: DevHttpRequest, signal: AbortSignal): Promise<DevHttpResponse> {
  const original = new URL(request.url);
  const headers = new Headers(request.headers);
  headers.set('x-ms-invocation-id', invocationId);
  headers.set('x-forwarded-host', original.host);
  headers.set('x-forwarded-proto', original.protocol.replace(/:$/, ''));
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && request.body !== undefined;
  // The proxy's origin is fixed and only the path and query are the request's: resolving the path
  // against the URI instead would let a path such as //elsewhere/... name another host.
  const target = new URL(streamUri);
  target.pathname = original.pathname;
  target.search = original.search;
  const response = await fetch(target, {
    method: request.method,
    headers,
    ...(hasBody && { body: request.body }),
    redirect: 'manual',
    signal,
  });
  const answerHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie' && name !== 'x-ms-invocation-id' && name !== 'content-length' && name !== 'date' && name !== 'connection' && name !== 'keep-alive') answerHeaders[name] = value;
  });
  return { status: response.status, headers: answerHeaders, cookies: response.headers.getSetCookie(), body: new Uint8Array(await response.arrayBuffer()) };
}

function rpcRequest(request: DevHttpRequest): RpcHttpData {
  return {
    method: request.method,
    url: request.url,
    headers: request.headers,
    params: request.params,
    query: request.query,
    ...(request.body && request.body.length > 0 && { body: { bytes: request.body } }),
  };
}

function devResponse(http: RpcHttpData | undefined): DevHttpResponse {
  if (!http) return { status: 204, headers: {}, cookies: [], body: new Uint8Array() };
  const body = http.body?.bytes ?? (http.body?.string !== undefined ? Buffer.from(http.body.string) : new Uint8Array());
  return { status: Number(http.statusCode ?? 200), headers: { ...http.headers }, cookies: (http.cookies ?? []).map(setCookie), body };
}

const SAME_SITE = new Map([
  ['lax', 'Lax'],
  ['strict', 'Strict'],
  ['explicitnone', 'None'],
]);

/** One Set-Cookie value, as the host writes the worker's RpcHttpCookie. */
function setCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  if (cookie.expires?.value?.seconds !== undefined) parts.push(`Expires=${new Date(cookie.expires.value.seconds * 1000).toUTCString()}`);
  if (cookie.maxAge?.value !== undefined) parts.push(`Max-Age=${cookie.maxAge.value}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  // 'none' means unset; 'explicitNone' is SameSite=None.
  const sameSite = SAME_SITE.get((cookie.sameSite ?? '').toLowerCase());
  if (sameSite) parts.push(`SameSite=${sameSite}`);
  return parts.join('; ');
}
