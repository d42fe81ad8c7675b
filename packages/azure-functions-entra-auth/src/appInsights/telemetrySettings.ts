import * as z from 'zod/mini';
import { addIssue, checkHttpsUrl, GUID_PATTERN, refuse } from '../settings/fields';
import { deepFreeze, parseSettings } from '../settings/parseSettings';
import type { SettingsSource } from '../settings/settingsSource';

/** How telemetry is authenticated at the ingestion endpoint. */
export type IngestionAuthentication =
  /** The instrumentation key in the connection string is the only credential (the default). */
  | { readonly kind: 'instrumentationKey' }
  /** An Entra token from the app's managed identity: system-assigned, or user-assigned when clientId is set. */
  | { readonly kind: 'managedIdentity'; readonly clientId: string | undefined };

export interface EnabledTelemetrySettings {
  readonly enabled: true;
  /** The connection string in the form the SDK parses: validated, empty segments dropped, key names canonical. */
  readonly connectionString: string;
  readonly instrumentationKey: string;
  /** The ingestion host, e.g. https://westeurope-5.in.applicationinsights.azure.com (no trailing slash). */
  readonly ingestionEndpoint: string;
  readonly authentication: IngestionAuthentication;
}

export type TelemetrySettings = { readonly enabled: false } | EnabledTelemetrySettings;

/** Connection-string keys the Azure Monitor SDKs know, in their documented spelling. */
const KNOWN_KEYS = ['InstrumentationKey', 'IngestionEndpoint', 'LiveEndpoint', 'ApplicationId', 'EndpointSuffix', 'Location', 'Authorization', 'AADAudience'] as const;
const CANONICAL = new Map<string, string>(KNOWN_KEYS.map((key) => [key.toLowerCase(), key]));

const FORM = 'must be key=value pairs separated by ";" as copied from the Application Insights resource, e.g. InstrumentationKey=<guid>;IngestionEndpoint=https://<region>.in.applicationinsights.azure.com/';

/**
 * Splits `key=value;key=value` into values by lowercased key (keys are
 * case-insensitive), keeping the key as written; empty segments are ignored. Values
 * are never echoed in messages: a connection string lets anyone write into the resource.
 */
function keyValuePairs(raw: string, ctx: z.core.ParsePayload): Map<string, { readonly key: string; readonly value: string }> | undefined {
  const pairs = new Map<string, { readonly key: string; readonly value: string }>();
  for (const segment of raw.split(';').map((part) => part.trim())) {
    if (segment === '') continue;
    const parts = segment.split('=');
    // The SDKs discard the whole string when a value holds "=", so refuse it here, naming the key.
    const [key = '', value = ''] = parts.map((part) => part.trim());
    if (parts.length !== 2 || key === '' || value === '') {
      addIssue(ctx, key && parts.length > 2 ? `has a "=" inside the value of ${key}; ${FORM}` : FORM);
      return undefined;
    }
    if (pairs.has(key.toLowerCase())) {
      addIssue(ctx, `names ${key} twice`);
      return undefined;
    }
    pairs.set(key.toLowerCase(), { key, value });
  }
  return pairs;
}

/** An https origin with at most a "/" path, as the IngestionEndpoint of a connection string is. */
function ingestionOrigin(raw: string): string | undefined {
  const checked = checkHttpsUrl(raw, { bareOrigin: true, loopbackHttp: false });
  return 'url' in checked ? checked.url.origin : undefined;
}

interface ParsedConnectionString {
  readonly connectionString: string;
  readonly instrumentationKey: string;
  readonly ingestionEndpoint: string;
}

const connectionString = z.pipe(
  z.string(),
  z.transform((raw: string, ctx): ParsedConnectionString => {
    const pairs = keyValuePairs(raw, ctx);
    if (!pairs) return z.NEVER;
    const value = (key: string) => pairs.get(key)?.value;
    const ikey = value('instrumentationkey');
    if (ikey === undefined) return refuse(ctx, `must contain InstrumentationKey=<guid>; ${FORM}`);
    // The exporter accepts lowercase GUIDs only and drops everything otherwise.
    if (!GUID_PATTERN.test(ikey)) return refuse(ctx, 'must have a GUID as InstrumentationKey');
    const authorization = value('authorization');
    if (authorization !== undefined && authorization.toLowerCase() !== 'ikey') {
      return refuse(ctx, 'supports only Authorization=ikey; for Microsoft Entra ingestion set APPLICATIONINSIGHTS_AUTHENTICATION_STRING=Authorization=AAD');
    }
    let ingestionEndpoint: string | undefined;
    const endpoint = value('ingestionendpoint');
    const suffix = value('endpointsuffix');
    if (endpoint !== undefined) {
      ingestionEndpoint = ingestionOrigin(endpoint);
      if (!ingestionEndpoint) return refuse(ctx, 'must have an https URL without path, query or credentials as IngestionEndpoint');
    } else if (suffix !== undefined) {
      // The documented sovereign-cloud form: the SDK derives https://[<Location>.]dc.<EndpointSuffix>.
      const location = value('location');
      ingestionEndpoint = ingestionOrigin(`https://${location ? `${location}.` : ''}dc.${suffix}`);
      if (!ingestionEndpoint) return refuse(ctx, 'must have a host name as EndpointSuffix (and Location)');
    } else {
      return refuse(ctx, `must contain IngestionEndpoint=https://… (or EndpointSuffix=…); ${FORM}`);
    }
    const normalized = [...pairs]
      .map(([lower, pair]) => `${CANONICAL.get(lower) ?? pair.key}=${lower === 'instrumentationkey' ? pair.value.toLowerCase() : pair.value}`)
      .join(';');
    return { connectionString: normalized, instrumentationKey: ikey.toLowerCase(), ingestionEndpoint };
  }),
);

const authenticationString = z.pipe(
  z.string(),
  z.transform((raw: string, ctx): IngestionAuthentication => {
    const pairs = keyValuePairs(raw, ctx);
    if (!pairs) return z.NEVER;
    const unknown = [...pairs].filter(([lower]) => lower !== 'authorization' && lower !== 'clientid').map(([, pair]) => pair.key);
    if (unknown.length > 0) return refuse(ctx, `supports only Authorization and ClientId, not ${unknown.join(', ')}`);
    if (pairs.get('authorization')?.value.toLowerCase() !== 'aad') return refuse(ctx, 'must be Authorization=AAD, optionally followed by ;ClientId=<guid> of a user-assigned identity');
    const clientId = pairs.get('clientid')?.value;
    if (clientId !== undefined && !GUID_PATTERN.test(clientId)) return refuse(ctx, 'must have a GUID as ClientId (the client ID of the user-assigned managed identity)');
    return { kind: 'managedIdentity', clientId: clientId?.toLowerCase() };
  }),
);

const schema = z
  .object({
    APPLICATIONINSIGHTS_CONNECTION_STRING: z.optional(connectionString),
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: z.optional(authenticationString),
  })
  .check(z.superRefine((s, ctx) => {
    if (s.APPLICATIONINSIGHTS_AUTHENTICATION_STRING && !s.APPLICATIONINSIGHTS_CONNECTION_STRING) {
      ctx.addIssue({
        code: 'custom',
        path: ['APPLICATIONINSIGHTS_AUTHENTICATION_STRING'],
        message: 'applies only with APPLICATIONINSIGHTS_CONNECTION_STRING, which names the resource to send to',
      });
    }
  }));

/** Every setting this module reads, for checks that the deployment sets real names. */
export const SETTING_NAMES: readonly string[] = Object.freeze(Object.keys(schema.shape));
const NAMES = SETTING_NAMES;

/**
 * Parses the Application Insights settings once, at startup. Without a connection
 * string telemetry is off and the app runs as before. Throws SettingsError naming the bad setting.
 */
export function loadTelemetrySettings(source: SettingsSource): TelemetrySettings {
  const s = parseSettings(schema, source, NAMES);
  const parsed = s.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (!parsed) return deepFreeze<TelemetrySettings>({ enabled: false });
  return deepFreeze<TelemetrySettings>({
    enabled: true,
    ...parsed,
    authentication: s.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ?? { kind: 'instrumentationKey' },
  });
}
