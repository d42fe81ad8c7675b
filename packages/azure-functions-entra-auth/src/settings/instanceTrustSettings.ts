import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod/mini';
import { readHostEnvironment, type HostEnvironment } from './hostEnvironment';
import { isLoopbackHost } from './fields';
import { deepFreeze, parseSettings } from './parseSettings';
import type { SettingsSource } from './settingsSource';
import { SettingsError } from './settingsError';

/**
 * AUTH_INSTANCE_CA_FILE: a CA certificate (PEM) the Entra key fetch trusts, for local
 * development against the stand-in on a machine whose environment already sets
 * NODE_EXTRA_CA_CERTS (Core Tools, like Node, then ignores the one in local.settings.json).
 * It is honoured only for an https loopback AUTH_INSTANCE and refused in Azure, so it can
 * never widen what a deployed app trusts.
 */
export interface InstanceTrustSettings {
  /** The PEM text of the CA to trust for AUTH_INSTANCE, or undefined to use Node's trust store. */
  readonly caPem: string | undefined;
}

export const INSTANCE_CA_SETTING = 'AUTH_INSTANCE_CA_FILE';

const schema = z.object({
  [INSTANCE_CA_SETTING]: z.optional(z.string()),
});

const NAMES = Object.keys(schema.shape);

export interface InstanceTrustOptions {
  /** AUTH_INSTANCE as parsed by loadAuthSettings. */
  readonly instance: string;
  /** Relative file names are resolved against this (the app root under func start); default: the working directory. */
  readonly baseDir?: string;
  readonly readFile?: (file: string) => string;
  /** The composition root's; read from the source when omitted. */
  readonly host?: HostEnvironment;
}

/** Parses AUTH_INSTANCE_CA_FILE once, at startup, reading the certificate. Throws SettingsError naming the setting. */
export function loadInstanceTrustSettings(source: SettingsSource, options: InstanceTrustOptions): InstanceTrustSettings {
  const s = parseSettings(schema, source, NAMES);
  const file = s[INSTANCE_CA_SETTING];
  if (file === undefined) return deepFreeze({ caPem: undefined });
  const host = options.host ?? readHostEnvironment(source);
  if (host.runningInAzure) {
    throw new SettingsError(INSTANCE_CA_SETTING, `is for local development with a local Entra stand-in and is refused in Azure (${host.azureMarker} is set): remove it from the app settings`);
  }
  const instance = new URL(options.instance);
  if (instance.protocol !== 'https:' || !isLoopbackHost(instance.hostname)) {
    throw new SettingsError(INSTANCE_CA_SETTING, `applies only to an https loopback AUTH_INSTANCE (a local Entra stand-in), not ${instance.origin}: remove it`);
  }
  const resolved = path.resolve(options.baseDir ?? process.cwd(), file);
  let pem: string;
  try {
    pem = (options.readFile ?? ((name) => readFileSync(name, 'utf8')))(resolved);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new SettingsError(INSTANCE_CA_SETTING, `cannot read ${resolved}${typeof code === 'string' ? ` (${code})` : ''}: start the local stand-in once so it writes its CA, or fix the path`);
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new SettingsError(INSTANCE_CA_SETTING, `${resolved} is not a PEM certificate`);
  }
  if (!certificate.ca) throw new SettingsError(INSTANCE_CA_SETTING, `${resolved} is not a CA certificate (use the stand-in's CA file, not its server certificate)`);
  return deepFreeze({ caPem: pem });
}
