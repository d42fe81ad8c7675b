import type { SettingsSource } from './settingsSource';

/** Where the app runs, decided once at startup from the settings source and passed to whatever depends on it. */
export type HostEnvironment =
  /** On App Service / Azure Functions in Azure: a deployed app, not a developer's machine. */
  | {
      readonly runningInAzure: true;
      /** The variable that said so, for messages that explain a refusal. */
      readonly azureMarker: string;
    }
  | { readonly runningInAzure: false; readonly azureMarker: undefined };

/**
 * The variables whose presence means "running in Azure". The platform sets
 * WEBSITE_SITE_NAME on every App Service and Functions plan, and WEBSITE_INSTANCE_ID on
 * most but not all (Linux and Flex Consumption may lack it), so either counts: in Azure a
 * skipped refusal (the development signer, an account key, a test CA) is worse than one
 * applied on a machine that sets these by hand. Not counted: WEBSITE_HOSTNAME, which Core
 * Tools sets to localhost:7071 under `func start`; IDENTITY_ENDPOINT / MSI_ENDPOINT, which
 * Arc, Cloud Shell and the tests' managed identity stand-in set too.
 */
export const AZURE_MARKERS: readonly string[] = Object.freeze(['WEBSITE_INSTANCE_ID', 'WEBSITE_SITE_NAME']);

/** Reads the markers; empty values count as unset, as for every other setting (see parseSettings). */
export function readHostEnvironment(source: SettingsSource): HostEnvironment {
  const azureMarker = AZURE_MARKERS.find((name) => (source[name]?.trim() ?? '') !== '');
  return Object.freeze(azureMarker === undefined ? { runningInAzure: false, azureMarker } : { runningInAzure: true, azureMarker });
}
