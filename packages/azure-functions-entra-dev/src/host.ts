/**
 * The dev host as a library: load a Functions app as the worker does and serve it. Its own
 * entry point, so a tool that measures what an app loads (or starts fast) loads nothing
 * else of this package.
 */
export { startDevHost } from './host/devHost';
export type { DevHostOptions, RunningDevHost } from './host/devHost';
export { loadFunctionApp, startFunctionApp, resolveMain } from './host/loadFunctionApp';
export type { LoadedFunctionApp } from './host/loadFunctionApp';
export { localEnvironment, environmentWithSettingsFile, LocalSettingsError } from './host/localSettings';
