import { INSTANCE_CA_SETTING, loadInstanceTrustSettings } from './instanceTrustSettings';
import type { AuthorityInput } from '../authorities/authorityConfig';
import { AUTHORITIES_SETTING, SETTING_NAMES, loadAuthSettings, type AuthSettings, type TokenVersion } from './authSettings';
import type { HostEnvironment } from './hostEnvironment';
import type { SettingsSource } from './settingsSource';
import { SettingsError } from './settingsError';

/**
 * The AUTH_* settings as a plain options object, for an app that configures the
 * package in code. Each option is the setting of the same meaning; an option given
 * here wins over the environment variable, which is only its default.
 */
export interface AuthOptions {
  /** AUTH_TENANT_ID: the tenant GUID, or `organizations` / `common` for a multi-tenant API. */
  readonly tenantId?: string;
  /** AUTH_CLIENT_ID: the API app registration's client ID. */
  readonly clientId?: string;
  /** AUTH_APP_ID_URI, e.g. `api://invoices`. */
  readonly appIdUri?: string;
  /** AUTH_INSTANCE: the authority origin; default https://login.microsoftonline.com. */
  readonly instance?: string;
  /** AUTH_ALLOWED_TENANTS: tenant GUIDs, or `*`, for a multi-tenant API. */
  readonly allowedTenants?: readonly string[] | '*';
  /** AUTH_ALLOWED_CLIENT_APPS: caller app IDs (`azp` / `appid`). */
  readonly allowedClientApps?: readonly string[];
  /** AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS (see README: a risk, only with allowedClientApps). */
  readonly allowTokensWithoutPermissions?: boolean;
  /** AUTH_TOKEN_VERSIONS: default both. */
  readonly tokenVersions?: readonly TokenVersion[];
  /** AUTH_CLOCK_SKEW_SECONDS: default 300, at most 600. */
  readonly clockSkewSeconds?: number;
  /** AUTH_INSTANCE_CA_FILE: local development only, for an https loopback instance. */
  readonly instanceCaFile?: string;
  /**
   * AUTH_AUTHORITIES: several authorities (workforce tenants, External ID tenants, B2C
   * user flows), each named; replaces tenantId, clientId, appIdUri, instance,
   * allowedTenants and tokenVersions, which each entry gives for itself.
   */
  readonly authorities?: readonly AuthorityInput[];
}

/** Every AUTH_* setting the package reads. */
export const AUTH_SETTING_NAMES: readonly string[] = Object.freeze([...SETTING_NAMES, INSTANCE_CA_SETTING, AUTHORITIES_SETTING]);

/** Which setting each option stands for: the one place the two spellings meet. */
export const OPTION_SETTINGS: Readonly<Record<keyof AuthOptions, string>> = Object.freeze({
  tenantId: 'AUTH_TENANT_ID',
  clientId: 'AUTH_CLIENT_ID',
  appIdUri: 'AUTH_APP_ID_URI',
  instance: 'AUTH_INSTANCE',
  allowedTenants: 'AUTH_ALLOWED_TENANTS',
  allowedClientApps: 'AUTH_ALLOWED_CLIENT_APPS',
  allowTokensWithoutPermissions: 'AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS',
  tokenVersions: 'AUTH_TOKEN_VERSIONS',
  clockSkewSeconds: 'AUTH_CLOCK_SKEW_SECONDS',
  instanceCaFile: INSTANCE_CA_SETTING,
  authorities: AUTHORITIES_SETTING,
});

export interface ResolvedAuthSettings {
  readonly settings: AuthSettings;
  /** The PEM of AUTH_INSTANCE_CA_FILE, read once, or undefined. */
  readonly instanceCaPem: string | undefined;
}

export interface ResolveOptions {
  /** Relative AUTH_INSTANCE_CA_FILE paths resolve against this; default the working directory. */
  readonly baseDir?: string;
  /** Whether the app runs in Azure; default: read from `env` (readHostEnvironment). */
  readonly host?: HostEnvironment;
  /** AUTH_* names in `env` the app reads itself; any other AUTH_* name the package does not read is refused. */
  readonly ignoreSettings?: readonly string[];
}

/**
 * Options over environment: both are turned into one AUTH_* record and parsed by the
 * same schema, so a value is checked the same way whichever spelling carried it. A
 * bad value is a SettingsError naming the setting, and the option when one was given.
 */
export function resolveAuthSettings(options: AuthOptions = {}, env: SettingsSource = {}, resolve: ResolveOptions = {}): ResolvedAuthSettings {
  const source: Record<string, string | undefined> = { ...env };
  for (const [option, value] of Object.entries(options) as [keyof AuthOptions, unknown][]) {
    const setting = OPTION_SETTINGS[option] as string | undefined;
    if (setting === undefined) throw new SettingsError(option, `is not an option of createEntraAuth; the options are ${Object.keys(OPTION_SETTINGS).join(', ')}`);
    if (value !== undefined) source[setting] = optionText(option, value);
  }
  try {
    const settings = loadAuthSettings(source, { ...(resolve.ignoreSettings && { ignoreSettings: resolve.ignoreSettings }) });
    const { caPem } = loadInstanceTrustSettings(source, {
      instance: settings.instance,
      ...(resolve.baseDir !== undefined && { baseDir: resolve.baseDir }),
      ...(resolve.host && { host: resolve.host }),
    });
    return { settings, instanceCaPem: caPem };
  } catch (error) {
    // AUTH_AUTHORITIES[1].userFlows names the option authorities as well.
    const option = error instanceof SettingsError ? optionFor(error.setting.replace(/[[.].*$/, ''), options) : undefined;
    if (option === undefined || !(error instanceof SettingsError)) throw error;
    throw new SettingsError(`${error.setting} (option ${option})`, error.message.replace(/^Invalid setting [^:]+: /, ''));
  }
}

function optionText(option: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (option === 'authorities' && Array.isArray(value)) return JSON.stringify(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join(',');
  throw new SettingsError(`${OPTION_SETTINGS[option as keyof AuthOptions]} (option ${option})`, 'has the wrong type');
}

function optionFor(setting: string, options: AuthOptions): string | undefined {
  return (Object.keys(OPTION_SETTINGS) as (keyof AuthOptions)[]).find((option) => OPTION_SETTINGS[option] === setting && options[option] !== undefined);
}
