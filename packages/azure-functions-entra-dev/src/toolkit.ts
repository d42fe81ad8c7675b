/**
 * The parts the commands are built from, for an app that composes its own local stack
 * (this repository's `npm start` does): the local CA, the stand-in's records, and
 * process helpers; the dev host is `azure-functions-entra-dev/host`. Development only.
 */
export { findAppRoot, defaultStateDir, defaultRegistryPath, DEFAULT_STANDIN_PORT, REGISTRY_FILE_NAME } from './standin/devPaths';
export { launchEntraStandin, findRunningStandin, listRunningStandins } from './standin/standinState';
export type { StandinRecord, LaunchedStandin } from './standin/standinState';
export { ensureLocalTls, systemRoots, LOOPBACK_NAMES } from './tls/localTls';
export type { LocalTls, LocalTlsOptions } from './tls/localTls';
export { findOnPath } from './process/findOnPath';
export { waitForJsonLine } from './process/jsonLine';
export { holderOf, isListening, isAddressInUse, portInUseMessage } from './process/portInUse';
export { commandLinePath, hostWorkerPath } from './cli/paths';
