import type { HttpRequest } from '@azure/functions';
import type { z } from 'zod';

export type BodyResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly status: 400 | 413 | 415; readonly code: string; readonly detail: string; readonly field?: string };

/**
 * Reads a JSON request body and validates it against a schema. The caller learns
 * which field is wrong (by its path), never an echo of what they sent.
 */
export async function readJsonBody<S extends z.ZodType>(request: HttpRequest, schema: S, maxBytes = 64 * 1024): Promise<BodyResult<z.output<S>>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    return { ok: false, status: 415, code: 'unsupported_media_type', detail: 'Send the body as application/json.' };
  }
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) return tooLarge(maxBytes);
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > maxBytes) return tooLarge(maxBytes);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, status: 400, code: 'invalid_json', detail: 'The body is not valid JSON.' };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue?.path.join('.') || '(body)';
  const reason = issue?.code === 'unrecognized_keys' ? 'is not a known field' : (issue?.message ?? 'is invalid');
  return { ok: false, status: 400, code: 'invalid_body', field, detail: `Field ${field}: ${reason}.` };
}

function tooLarge(maxBytes: number): BodyResult<never> {
  return { ok: false, status: 413, code: 'body_too_large', detail: `The body exceeds ${maxBytes} bytes.` };
}
