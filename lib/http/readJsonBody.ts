import type { HttpRequest } from '@azure/functions';
import * as z from 'zod/mini';
import { BodyTooLargeError, MAX_JSON_DEPTH, parseStrictJson, readCappedBody } from 'azure-functions-entra-auth/toolkit';
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
  let bytes: Buffer;
  try {
    // Streamed and counted, so a chunked body without Content-Length is not buffered whole before the limit applies.
    bytes = await readCappedBody(request, maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return tooLarge(maxBytes);
    throw error;
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, status: 400, code: 'invalid_json', detail: 'The body is not UTF-8.' };
  }
  let json: unknown;
  try {
    // The token's strict checks: {"quantity":99999,"quantity":1} means different things to different parsers.
    json = parseStrictJson(text);
  } catch (error) {
    return { ok: false, status: 400, code: 'invalid_json', detail: jsonDetail(error) };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const known = knownFields(schema);
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

/** Refuses invalid UTF-8 rather than replacing it with U+FFFD; a BOM stays, so JSON.parse refuses it as before. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function jsonDetail(error: unknown): string {
  const reason = error instanceof SyntaxError ? error.message : '';
  if (reason === 'duplicate member name') return 'The body is not valid JSON: a member name appears more than once.';
  if (reason.startsWith('nested deeper than')) return `The body is not valid JSON: it nests deeper than ${MAX_JSON_DEPTH} levels.`;
  if (reason.startsWith('not well-formed Unicode')) return 'The body is not valid JSON: a string holds an unpaired surrogate (a \\uD800-\\uDFFF escape without its pair).';
  return 'The body is not valid JSON.';
}

function tooLarge(maxBytes: number): BodyResult<never> {
  return { ok: false, status: 413, code: 'body_too_large', detail: `The body exceeds ${maxBytes} bytes.` };
}

/** The member names a body schema defines: an object's, or those of every object in a discriminated union. */
function knownFields(schema: z.ZodMiniType): string[] {
  if (schema instanceof z.ZodMiniObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodMiniDiscriminatedUnion) {
    const options = schema._zod.def.options as readonly z.ZodMiniType[];
    return [...new Set(options.flatMap((option) => (option instanceof z.ZodMiniObject ? Object.keys(option.shape) : [])))];
  }
  return [];
}
