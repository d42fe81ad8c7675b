import * as z from 'zod/mini';

/*
 * zod/mini loads no locale: an issue whose schema or check names no message reads just
 * "Invalid input". Where such a message reaches someone (a request body's field error, a
 * malformed permissions file, a setting), the schema names it itself, in the words
 * zod's English locale gave it under the classic API, so that moving to zod/mini changed
 * no text. Each function words one kind of issue and answers undefined for any other.
 */

/** How the English locale names the type it received: "number", "null", "array", "Infinity". */
function receivedType(input: unknown): string {
  return typeof input === 'number' && !Number.isFinite(input) ? String(input) : z.util.parsedType(input);
}

/** "Invalid input: expected string, received number": a value of the wrong type. */
export function typeMismatch(issue: z.core.$ZodRawIssue): string | undefined {
  return issue.code === 'invalid_type' ? `Invalid input: expected ${issue.expected}, received ${receivedType(issue.input)}` : undefined;
}

/** The units the English locale counts a length in; other origins (number, int, "unknown") are compared, not counted. */
const UNITS: Readonly<Record<string, string>> = { string: 'characters', file: 'bytes', array: 'items', set: 'items', map: 'entries' };

/**
 * "Too small: expected string to have >=1 characters", "Too big: expected number to be <=10000":
 * a length or a value out of bounds. A length check also measures an array given where a
 * string was expected, so the origin comes from the issue, not from the schema.
 */
export function outOfRange(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'too_small' && issue.code !== 'too_big') return undefined;
  const [words, bound, strict] = issue.code === 'too_small' ? (['Too small', issue.minimum, '>'] as const) : (['Too big', issue.maximum, '<'] as const);
  const comparison = issue.exact ? 'exactly ' : issue.inclusive ? `${strict}=` : strict;
  const unit = UNITS[issue.origin];
  return unit === undefined
    ? `${words}: expected ${issue.origin} to be ${comparison}${bound.toString()}`
    : `${words}: expected ${issue.origin} to have ${comparison}${bound.toString()} ${unit}`;
}

/** 'Unrecognized keys: "a", "b"': members a strict object does not define. */
export function unrecognizedKeys(issue: z.core.$ZodRawIssue): string | undefined {
  return issue.code === 'unrecognized_keys' ? `Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.map((key) => `"${key}"`).join(', ')}` : undefined;
}
