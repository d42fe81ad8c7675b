/**
 * azure-functions-entra-auth/settings: the building blocks the package parses its own
 * AUTH_* settings with, for an app that wants its own settings refused the same way
 * (`Invalid setting NAME: reason`, once, at startup).
 */
export { SettingsError } from './settings/settingsError';
export { AZURE_MARKERS, readHostEnvironment, type HostEnvironment } from './settings/hostEnvironment';
export { deepFreeze, parseSettings } from './settings/parseSettings';
export type { SettingsSource } from './settings/settingsSource';
export { CANONICAL_GUID, GUID_PATTERN, addIssue, checkHttpsUrl, commaList, guid, httpsOrigin, httpsUrl, isLoopbackHost, refuse, wildcardOr } from './settings/fields';
export { outOfRange, typeMismatch, unrecognizedKeys } from './settings/englishMessages';
