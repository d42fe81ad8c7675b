import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { createCaTrustingFetch } from '../tls/caTrustingFetch';
import { standinStateFile } from './devPaths';
import { startEntraStandin, type EntraStandin, type EntraStandinOptions } from './server';

/** What `<state>/entra-standin.json` says about the running stand-in; the CLI prints the same on stdout. */
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
  readonly stateFile: string;
  readonly startedAt: string;
}

const record = z.object({
  url: z.string().startsWith('https://'),
  tenantId: z.string(),
  authority: z.string(),
  caPath: z.string(),
  port: z.number().int().positive(),
  pid: z.number().int().positive(),
  stateFile: z.string(),
  startedAt: z.string(),
});

/** A stand-in started by this process that other processes can find through the state file. */
export interface LaunchedStandin {
  readonly standin: EntraStandin;
  readonly record: StandinRecord;
  /** Stops the server and removes the state file (if it still describes this stand-in). */
  stop(): Promise<void>;
}

/**
 * Starts the stand-in and announces it in `<stateDir>/entra-standin.json`, for the
 * token script, a dev host or a test runner in another process to find.
 */
export async function launchEntraStandin(options: EntraStandinOptions): Promise<LaunchedStandin> {
  const standin = await startEntraStandin(options);
  const stateFile = standinStateFile(options.stateDir);
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
    await mkdir(options.stateDir, { recursive: true });
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
        const current = await readStandinRecord(options.stateDir);
        if (current?.pid === announced.pid && current.url === announced.url) await rm(stateFile, { force: true });
      })()),
  };
}

/** The state file's record, or undefined when there is none (or it is not one). */
export async function readStandinRecord(stateDir: string): Promise<StandinRecord | undefined> {
  let text: string;
  try {
    text = await readFile(standinStateFile(stateDir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = record.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The stand-in the state file describes, if it is really up: its process lives and
 * its health endpoint answers over TLS trusted through its CA, naming the same tenant.
 * A stale file (after a crash or kill -9) yields undefined.
 */
export async function findRunningStandin(stateDir: string, timeoutMs = 2_000): Promise<StandinRecord | undefined> {
  const found = await readStandinRecord(stateDir);
  if (!found || !isProcessAlive(found.pid)) return undefined;
  try {
    const fetch = createCaTrustingFetch(await readFile(found.caPath, 'utf8'));
    const response = await fetch(`${found.url}/_standin/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (response.status !== 200) return undefined;
    const health = z.object({ tenantId: z.string() }).safeParse(await response.json());
    return health.success && health.data.tenantId === found.tenantId ? found : undefined;
  } catch {
    return undefined;
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
