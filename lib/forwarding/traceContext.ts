/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) values as a caller sends
 * them, checked before they are passed on to a backend: anything else a caller puts
 * in these headers (control characters, megabytes, another format) stays here.
 */

/** Version 00: `00-<trace-id>-<parent-id>-<flags>`, lower-case hex, as §3.2 defines it. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** §3.3.1: at most 32 list members; 512 characters is what every vendor must propagate. */
export const MAX_TRACESTATE_MEMBERS = 32;
export const MAX_TRACESTATE_LENGTH = 512;

/** A simple key or `tenant@system`, then `=` and a value of printable ASCII without `,` or `=`, not ending in a space (§3.3.1.3). */
const KEY = String.raw`(?:[a-z][a-z0-9_*/-]{0,255}|[a-z0-9][a-z0-9_*/-]{0,240}@[a-z][a-z0-9_*/-]{0,13})`;
const VALUE = String.raw`[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]`;
const LIST_MEMBER = new RegExp(`^(${KEY})=${VALUE}$`);

/** Whether `value` is a version-00 traceparent whose trace-id and parent-id are not all zeros (§3.2.2.3, §3.2.2.4). */
export function isValidTraceparent(value: string): boolean {
  const match = TRACEPARENT.exec(value);
  return match !== null && !/^0+$/.test(match[1] as string) && !/^0+$/.test(match[2] as string);
}

/** Whether `value` is a tracestate list within the spec's bounds, each member `key=value`, no key twice. */
export function isValidTracestate(value: string): boolean {
  if (value.length > MAX_TRACESTATE_LENGTH) return false;
  const keys = new Set<string>();
  // Empty members (OWS between commas) are allowed and do not count.
  for (const member of value.split(',').map((part) => part.replace(/^[ \t]+|[ \t]+$/g, '')).filter((part) => part !== '')) {
    const match = LIST_MEMBER.exec(member);
    if (!match || keys.has(match[1] as string)) return false;
    keys.add(match[1] as string);
  }
  return keys.size <= MAX_TRACESTATE_MEMBERS;
}
