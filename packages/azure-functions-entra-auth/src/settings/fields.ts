import * as z from 'zod/mini';
import { typeMismatch } from './englishMessages';

/** Entra object and tenant IDs: lowercase GUIDs (case-insensitive on input). */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A GUID exactly as Entra issues it in tokens: lower case, no braces. */
export const CANONICAL_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const guid = (what: string) =>
  z.pipe(
    z.string({ error: (issue) => (issue.input === undefined ? 'is required' : `must be a GUID (${what})`) }).check(z.regex(GUID_PATTERN, { error: `must be a GUID (${what})` })),
    z.transform((value: string) => value.toLowerCase()),
  );

/** Records a problem from inside a transform, as classic zod's `ctx.addIssue` did. */
export function addIssue(ctx: z.core.ParsePayload, message: string): void {
  ctx.issues.push({ code: 'custom', message, input: ctx.value });
}

/** Refuses the value from inside a transform: records the problem and gives z.NEVER for the transform to return. */
export function refuse(ctx: z.core.ParsePayload, message: string): never {
  addIssue(ctx, message);
  return z.NEVER;
}

/** A comma-separated list: items trimmed, empties dropped, duplicates removed. */
export const commaList = <T extends z.ZodMiniType<string, string>>(item: T, what: string) =>
  z.pipe(
    z.pipe(
      z.string({ error: typeMismatch }),
      z.transform((raw: string) => raw.split(',').map((part) => part.trim()).filter(Boolean)),
    ),
    // Deduplicated after the item schema, so values it normalises (GUID case) dedupe too.
    z.pipe(
      z.array(item).check(z.minLength(1, { error: `must list at least one ${what}` })),
      z.transform((items: z.output<T>[]) => [...new Set(items)]),
    ),
  );

/** A literal `*` (meaning any), or a value of `schema`; the schema's own message explains a bad value. */
export const wildcardOr = <T>(schema: z.ZodMiniType<T, string>) =>
  z.pipe(
    z.string({ error: typeMismatch }),
    z.transform((raw: string, ctx): '*' | T => {
      if (raw === '*') return '*';
      const parsed = schema.safeParse(raw);
      if (parsed.success) return parsed.data;
      for (const issue of parsed.error.issues) addIssue(ctx, issue.message);
      return z.NEVER;
    }),
  );

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}

export interface HttpsUrlRules {
  /** Also refuse a path (beyond "/"); the caller then uses the origin. */
  readonly bareOrigin?: boolean;
  /** Allow plain http to 127.0.0.1, localhost and [::1], for local stand-ins (default); off for settings no stand-in takes. */
  readonly loopbackHttp?: boolean;
  /** Shown when the value is not a URL at all. */
  readonly example?: string;
}

/**
 * The one https URL rule for settings: absolute, https (http only for loopback hosts when
 * allowed), without credentials, query or fragment, and without a path for a bare origin.
 * Gives the URL, or what is wrong with it as a phrase that starts with "must".
 */
export function checkHttpsUrl(raw: string, rules: HttpsUrlRules = {}): { readonly url: URL } | { readonly problem: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: `must be an absolute URL${rules.example === undefined ? '' : ` such as ${rules.example}`}` };
  }
  const loopbackHttp = rules.loopbackHttp ?? true;
  const problem =
    url.protocol !== 'https:' && !(loopbackHttp && url.protocol === 'http:' && isLoopbackHost(url.hostname))
      ? loopbackHttp
        ? 'must use https (http is allowed only for 127.0.0.1, localhost and [::1])'
        : 'must use https'
      : url.username || url.password
        ? 'must not carry credentials'
        : rules.bareOrigin && url.pathname !== '/'
          ? 'must be a bare origin with no path, query or fragment'
          : url.search || url.hash
            ? rules.bareOrigin
              ? 'must be a bare origin with no path, query or fragment'
              : 'must not have a query or fragment'
            : undefined;
  return problem ? { problem } : { url };
}

/**
 * An https URL setting (see checkHttpsUrl). `bareOrigin` yields the origin; otherwise
 * the URL comes back without a trailing slash.
 */
export const httpsUrl = (example: string, options: { bareOrigin?: boolean } = {}) =>
  z.pipe(
    z.string({ error: typeMismatch }),
    z.transform((raw: string, ctx) => {
      const checked = checkHttpsUrl(raw, { ...options, example });
      if ('problem' in checked) return refuse(ctx, checked.problem);
      return options.bareOrigin ? checked.url.origin : checked.url.href.replace(/\/+$/, '');
    }),
  );

/** An origin such as https://login.microsoftonline.com, without a trailing slash. */
export const httpsOrigin = httpsUrl('https://login.microsoftonline.com', { bareOrigin: true });
