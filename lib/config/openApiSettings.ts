import * as z from 'zod/mini';
import { deepFreeze, parseSettings, type SettingsSource } from 'azure-functions-entra-auth/settings';

export interface OpenApiSettings {
  /** Whether GET /api/openapi.json is served (anonymous). It says who may call what, never a secret. */
  readonly serveDocument: boolean;
}

const schema = z.object({
  OPENAPI_DOCUMENT: z._default(z.enum(['on', 'off'], { error: 'must be on or off' }), 'on'),
});

/** Every setting this module reads, for checks that the deployment sets real names. */
export const SETTING_NAMES: readonly string[] = Object.freeze(Object.keys(schema.shape));

/** Parses OPENAPI_DOCUMENT once, at startup; anything but on/off is a SettingsError naming it. */
export function loadOpenApiSettings(source: SettingsSource): OpenApiSettings {
  const s = parseSettings(schema, source, SETTING_NAMES);
  return deepFreeze({ serveDocument: s.OPENAPI_DOCUMENT === 'on' });
}
