import path from 'node:path';
import { SettingsError, type FetchLike } from 'azure-functions-entra-auth';
import { describeApp, type LoadedDescription } from './appDescription';
import { scrubbingWriter, tokenLikeArguments } from './argumentScrub';
import { CliUsageError, INSPECT_USAGE, parseInspectOptions } from './cliOptions';
import { loadInspectSettings } from './inspectSettings';
import { exitCodeOf, type Inspection } from './inspection';
import { inspectToken, refusedAtIntake } from './inspectToken';
import { keyFetchFor } from './keyFetch';
import { inspectionJson, inspectionText, scrubToken } from './renderInspection';
import { intakeBytes, intakeText, readBounded } from './tokenIntake';

export interface InspectIo {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** The app inspected when --app is not given (its local.settings.json, its build). */
  readonly appRoot: string;
  readonly stdin: AsyncIterable<Buffer | string>;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** How discovery documents and key sets are fetched; default: as the app fetches them (keyFetchFor). */
  readonly fetch?: FetchLike;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
  /** How the app's routes are read; default: load its build in a child process (describeApp). */
  readonly describeApp?: (appRoot: string, environment: NodeJS.ProcessEnv) => Promise<LoadedDescription>;
}

/**
 * The whole command, with its inputs and outputs injected so tests run it in-process.
 * Resolves to the exit code: 0 accepted (or passed every offline check), 1 refused,
 * 2 bad usage or a bad setting. Never throws for bad input.
 */
export async function runInspect(io: InspectIo): Promise<0 | 1 | 2> {
  // Every token this run knows of: scrubbed from stderr as from stdout, whatever a message quotes.
  const tokens: string[] = tokenLikeArguments(io.argv);
  const stderr = scrubbingWriter(io.stderr, tokens);
  let options;
  let loaded;
  let appRoot: string;
  try {
    options = parseInspectOptions(io.argv);
    if (options.help) {
      io.stdout.write(`${INSPECT_USAGE}\n`);
      return 0;
    }
    appRoot = options.appDir === undefined ? io.appRoot : path.resolve(io.cwd, options.appDir);
    loaded = loadInspectSettings({ appRoot, cwd: io.cwd, settingsFile: options.settingsFile, env: io.env });
  } catch (error) {
    if (error instanceof CliUsageError) {
      stderr.write(`inspect: ${error.message}\n${INSPECT_USAGE}\n`);
      return 2;
    }
    if (error instanceof SettingsError) {
      // As at app startup: the setting named, the value never echoed.
      stderr.write(`inspect: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  // The app's routes, as it registers them: loaded with its settings applied, in a child process.
  const described = options.noRoutes ? undefined : await (io.describeApp ?? describeApp)(appRoot, loaded.environment);
  const routesNote =
    described === undefined
      ? 'routes: not listed (--no-routes)'
      : described.ok
        ? `routes: read from the app at ${appRoot} (${String(described.app.routes.length)} functions)`
        : `routes: not listed: the app at ${appRoot} did not load (${described.reason})`;
  const intake = options.source.kind === 'stdin' ? await readBounded(io.stdin).then(({ bytes, truncated }) => intakeBytes(bytes, truncated)) : intakeText(options.source.token);
  const token = intake.ok ? intake.token : undefined;
  if (options.source.kind === 'argument') tokens.push(options.source.token);
  if (token !== undefined) tokens.push(token);
  let inspection: Inspection;
  if (intake.ok) {
    inspection = await inspectToken(intake.token, {
      settings: loaded.settings,
      settingsOrigin: loaded.origin,
      offline: options.offline,
      showClaims: options.showClaims,
      fetch: io.fetch ?? keyFetchFor(loaded.settings.instance, loaded.trust),
      ...(io.now && { now: io.now }),
      ...(described?.ok === true && { app: described.app }),
    });
    inspection = { ...inspection, notes: [...(intake.note ? [intake.note] : []), ...inspection.notes, routesNote] };
  } else {
    inspection = refusedAtIntake(intake, loaded.origin);
  }
  if (options.source.kind === 'argument' && !options.json) {
    stderr.write('inspect: tip: pipe the token in with `-` instead, to keep it out of your shell history\n');
  }
  io.stdout.write(scrubToken(options.json ? inspectionJson(inspection) : inspectionText(inspection), token ?? rawArgument(options.source)));
  if (described?.ok === false) {
    // An app that does not start answers no request: whatever the token, that comes first.
    stderr.write(`inspect: the app at ${appRoot} does not start with these settings, so it answers no request: ${described.reason}\n(--no-routes checks the token alone)\n`);
    return 2;
  }
  return exitCodeOf(inspection);
}

function rawArgument(source: { kind: 'argument'; token: string } | { kind: 'stdin' }): string | undefined {
  return source.kind === 'argument' ? source.token : undefined;
}
