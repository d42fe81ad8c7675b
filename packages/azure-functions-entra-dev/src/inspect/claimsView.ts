/**
 * What the inspector shows of a token's claims. Personal data is redacted unless
 * asked for; IDs (tid, oid, azp/appid, kid) are what a support conversation needs and
 * are shown. Values come from an unverified token, so long or odd ones are cut short.
 */

/** The claims that name a person. The first five are the list; the others are the same data in v1 tokens or optional claims. */
export const PERSONAL_CLAIMS: readonly string[] = Object.freeze([
  'name',
  'upn',
  'preferred_username',
  'email',
  'unique_name',
  'given_name',
  'family_name',
  'login_hint',
  'ipaddr',
]);

export const REDACTED = '[redacted: --show-claims shows it]';

const MAX_VALUE_CHARS = 256;

export function claimsView(payload: Readonly<Record<string, unknown>>, showPersonal: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(payload)) {
    view[shorten(name)] = !showPersonal && PERSONAL_CLAIMS.includes(name) ? REDACTED : bounded(value);
  }
  return view;
}

/** The value itself when its JSON is short, else a note of its size. */
function bounded(value: unknown): unknown {
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) return null;
  return json.length <= MAX_VALUE_CHARS ? value : `[${json.length} characters, not shown]`;
}

/** Claim names are chosen by whoever built the token: cut long ones, escape unprintable ones. */
function shorten(name: string): string {
  const printable = /^[\x20-\x7e]*$/.test(name) ? name : JSON.stringify(name);
  return printable.length <= 64 ? printable : `${printable.slice(0, 32)}…(${printable.length} characters)`;
}

/** A short, printable rendering of an unverified value for an expected/found column. */
export function shown(value: unknown): string {
  if (value === undefined) return '(absent)';
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) return '(not JSON)';
  const text = typeof value === 'string' ? value : json;
  // Control characters could rewrite the terminal; JSON escapes them.
  const printable = /^[\x20-\x7e]*$/.test(text) ? text : json;
  return printable.length <= 120 ? printable : `${printable.slice(0, 60)}… (${printable.length} characters)`;
}
