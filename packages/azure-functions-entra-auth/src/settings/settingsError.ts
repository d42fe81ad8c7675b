/**
 * A setting is missing or has a value the app cannot run with. Thrown once, at
 * startup, so a misconfigured deployment fails fast instead of at the first request.
 */
export class SettingsError extends TypeError {
  readonly code = 'setting_invalid';

  constructor(
    /** The environment variable / app setting at fault. */
    readonly setting: string,
    reason: string,
  ) {
    super(`Invalid setting ${setting}: ${reason}`);
    this.name = 'SettingsError';
  }
}
