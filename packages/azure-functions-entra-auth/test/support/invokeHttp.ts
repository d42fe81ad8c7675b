import { randomUUID } from 'node:crypto';
import { HttpRequest, HttpResponse, InvocationContext, type HttpHandler } from '@azure/functions';

export interface InvokeOptions {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly params?: Record<string, string>;
  readonly body?: string;
  /** The route template, as the host passes it in the trigger options. */
  readonly route?: string;
  readonly functionName?: string;
}

export interface InvokeResult {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly invocationId: string;
  readonly logs: string[];
}

/**
 * Calls a handler with real @azure/functions HttpRequest and InvocationContext
 * objects, as the Functions host would, and normalises what comes back.
 */
export async function invokeHttp(handler: HttpHandler, options: InvokeOptions = {}): Promise<InvokeResult> {
  const invocationId = randomUUID();
  const logs: string[] = [];
  const request = new HttpRequest({
    method: options.method ?? 'GET',
    url: `https://orders.example.net/api/${options.path ?? 'orders'}`,
    headers: options.headers ?? {},
    query: options.query ?? {},
    params: options.params ?? {},
    ...(options.body !== undefined && { body: { string: options.body } }),
  });
  const context = new InvocationContext({
    invocationId,
    functionName: options.functionName ?? 'orders',
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ')}`),
    options: { trigger: { type: 'httpTrigger', name: 'httpTrigger', route: options.route ?? 'orders' } },
  });
  const result = await handler(request, context);
  const response = result instanceof HttpResponse ? result : new HttpResponse(result);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body, invocationId, logs };
}
