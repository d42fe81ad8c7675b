import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { createCaTrustingFetch } from '../tls/caTrustingFetch';
import { runningStandinFile, runningStandinsDir } from './devPaths';
import { startEntraStandin, type EntraStandin, type EntraStandinOptions } from './server';

/** What a running stand-in's record says about it; the CLI prints the same on stdout. */
export interface StandinRecord {
  /** AUTH_INSTANCE / authorityHost. */
  readonly url: string;
  readonly tenantId: string;
  /** `{url}/{tenantId}`. */
  readonly authority: string;
  /** For NODE_EXTRA_CA_CERTS and curl --cacert. */
  readonly caPath: string;
  readonly port: number;
  readonly pid: number;
  /** This stand-in's own record, `<state>/entra-standin/running/pid-<pid>-port-<port>.json`. */
  readonly stateFile: string;
  readonly startedAt: string;
}

const record = z.object({
  url: z.string().startsWith('https://'),
  tenantId: z.string(),
  authority: z.string(),
  caPath: z.string(),
  port: z.number().int().nonnegative(),
  pid: z.number().int().positive(),
  stateFile: z.string(),
  startedAt: z.string(),
});

/** A stand-in started by this process that other processes can find through its record. */
export interface LaunchedStandin {
  readonly standin: EntraStandin;
  readonly record: StandinRecord;
  /** Stops the server and removes its own record (never another stand-in's). */
  stop(): Promise<void>;
}

/**
 * Starts the stand-in and announces it in a record of its own under
 * `<stateDir>/entra-standin/running/`, for the token script, `npm start` or a test
 * runner in another process to find.
 */
export async function launchEntraStandin(options: EntraStandinOptions): Promise<LaunchedStandin> {
  const standin = await startEntraStandin(options);
  const stateFile = runningStandinFile(options.stateDir, process.pid, standin.port);
  const announced: StandinRecord = {
    url: standin.url,
    tenantId: standin.tenantId,
    authority: standin.authority,
    caPath: standin.caPath,
    port: standin.port,
    pid: process.pid,
    stateFile,
    startedAt: new Date((options.now ?? Date.now)()).toISOString(),
  };
  try {
    await mkdir(runningStandinsDir(options.stateDir), { recursive: true });
    // Written aside and renamed, so a reader never sees half a record.
    const scratch = `${stateFile}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(scratch, `${JSON.stringify(announced, null, 2)}\n`);
    await rename(scratch, stateFile);
  } catch (error) {
    await standin.stop();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    standin,
    record: announced,
    stop: () =>
      (stopping ??= (async () => {
        await standin.stop();
        await rm(stateFile, { force: true });
      })()),
  };
}

/** Every record under `<stateDir>/entra-standin/running/`, whether or not its stand-in still runs; unreadable ones are skipped. */
export async function readStandinRecords(stateDir: string): Promise<StandinRecord[]> {
  let names: string[];
  try {
    names = (await readdir(runningStandinsDir(stateDir))).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  const records = await Promise.all(names.map((name) => readRecord(join(runningStandinsDir(stateDir), name))));
  return records.filter((found): found is StandinRecord => found !== undefined);
}

async function readRecord(file: string): Promise<StandinRecord | undefined> {
  try {
    const parsed = record.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success && parsed.data.stateFile === file ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The stand-ins of this state directory that are really up, oldest first: each record's
 * process lives and its health endpoint answers over TLS trusted through its CA,
 * naming the same tenant and process. The record of a process that has died (a crash,
 * kill -9) is removed: no living stand-in can own it.
 */
export async function listRunningStandins(stateDir: string, timeoutMs = 2_000): Promise<StandinRecord[]> {
  const records = await readStandinRecords(stateDir);
  const live = await Promise.all(
    records.map(async (found) => {
      if (!isProcessAlive(found.pid)) {
        await rm(found.stateFile, { force: true });
        return undefined;
      }
      return (await answers(found, timeoutMs)) ? found : undefined;
    }),
  );
  return live.filter((found): found is StandinRecord => found !== undefined).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** The running stand-in of this state directory on `port` (any port when undefined), if one answers. */
export async function findRunningStandin(stateDir: string, port?: number, timeoutMs = 2_000): Promise<StandinRecord | undefined> {
  return (await listRunningStandins(stateDir, timeoutMs)).find((found) => port === undefined || found.port === port);
}

async function answers(found: StandinRecord, timeoutMs: number): Promise<boolean> {
  try {
    const fetch = createCaTrustingFetch(await readFile(found.caPath, 'utf8'));
    const response = await fetch(`${found.url}/_standin/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (response.status !== 200) return false;
    const health = z.object({ tenantId: z.string(), pid: z.number() }).safeParse(await response.json());
    // The pid check: after a restart on the same port, the old record's port answers for another process.
    return health.success && health.data.tenantId === found.tenantId && health.data.pid === found.pid;
  } catch {
    return false;
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
