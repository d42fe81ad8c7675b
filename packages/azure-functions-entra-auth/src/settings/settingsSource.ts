/** What the settings loaders read: `process.env` or the Values of local.settings.json. */
export type SettingsSource = Readonly<Record<string, string | undefined>>;
