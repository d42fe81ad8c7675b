import type { HttpRequest } from '@azure/functions';
import * as z from 'zod/mini';
import type { AppFailureCode } from '../failures/appFailures';

export type BodyFailureCode = Extract<AppFailureCode, 'unsupported_media_type' | 'body_too_large' | 'invalid_json' | 'invalid_body'>;

export type BodyResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly status: 400 | 413 | 415; readonly code: BodyFailureCode; readonly detail: string; readonly field?: string };

/**
 * Reads a JSON request body and validates it against a schema. The caller learns
 * which known field is wrong, never an echo of what they sent: member names the
 * schema does not know (a 30 000-character name, markup, `__proto__`) are counted,
 * not repeated.
 */
export async function readJsonBody<S extends z.ZodMiniType>(request: HttpRequest, schema: S, maxBytes = 64 * 1024): Promise<BodyResult<z.output<S>>> {
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
  const known = schema instanceof z.ZodMiniObject ? Object.keys(schema.shape) : [];
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    const count = issue.keys.length;
    const knownList = known.length > 0 ? ` The known fields are ${known.join(', ')}.` : '';
    return { ok: false, status: 400, code: 'invalid_body', detail: `The body has ${count} unknown member${count === 1 ? '' : 's'}.${knownList}` };
  }
  // Only a field the schema defines is named; anything deeper or unknown is "the body".
  const top = issue?.path[0];
  const field = typeof top === 'string' && known.includes(top) ? top : undefined;
  const reason = issue?.message ?? 'is invalid';
  return field === undefined
    ? { ok: false, status: 400, code: 'invalid_body', detail: `The body is invalid: ${reason}.` }
    : { ok: false, status: 400, code: 'invalid_body', field, detail: `Field ${field}: ${reason}.` };
}

function tooLarge(maxBytes: number): BodyResult<never> {
  return { ok: false, status: 413, code: 'body_too_large', detail: `The body exceeds ${maxBytes} bytes.` };
}
