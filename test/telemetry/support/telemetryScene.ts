import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { startAzuriteTable } from '../../../dev/azurite/azuriteTable';
import { EgressGuard } from '../../../dev/ingestion-standin/egressGuard';
import { IngestionStandin, type IngestionFault } from '../../../dev/ingestion-standin/ingestionStandin';
import { ensureLocalTls, type LocalTls } from '../../../packages/azure-functions-entra-dev/src/tls/localTls';
import { API_CLIENT_ID, APP_ID_URI, TENANT, createTestKey, mintAccessToken, type TestKey, type TokenOptions } from '../../../packages/azure-functions-entra-auth/test/support/entraTokens';
import { FakeEntraMetadataServer } from '../../../packages/azure-functions-entra-auth/test/support/fakeEntraMetadataServer';

/**
 * Everything a telemetry test needs around the app: the ingestion stand-in (HTTPS,
 * certificate from dev/tls), a fake Entra for keys, an egress guard, and children
 * running dev/ingestion-standin/telemetryAppWorker, which loads the app as the Functions
 * worker does. The real SDK runs only in those children, which trust the local CA
 * through NODE_EXTRA_CA_CERTS.
 */
const root = path.join(__dirname, '../../..');
export const WORKER = path.join(root, 'dist-dev/dev/ingestion-standin/telemetryAppWorker.js');
const PACKAGER = path.join(root, 'dist-dev/dev/package/main.js');

/**
 * Which build of the app the scene runs: the tsc build (dist/, what `func start` and the
 * dev host load) or the deployment package `npm run package` makes (the esbuild bundles
 * that ship), so a bundling mistake fails these tests too.
 */
export type AppBuild = 'dist' | 'package';
let appBuild: AppBuild = 'dist';

/** For the *.package.test.ts files: run the scenes of the test file they load against the deployment package. */
export function runScenesAgainst(build: AppBuild): void {
  appBuild = build;
}

export function assertBuilt(): void {
  if (!existsSync(WORKER) || !existsSync(PACKAGER)) throw new Error('build first: npm run build && npm run build:dev (the telemetry tests run the app from dist and dist-dev)');
}

export interface Scene {
  readonly dir: string;
  readonly tls: LocalTls;
  readonly ingestion: IngestionStandin;
  readonly entra: FakeEntraMetadataServer;
  readonly guard: EgressGuard;
  readonly key: TestKey;
  token(options?: TokenOptions): Promise<string>;
  /** Starts the app; `env` adds to (or with undefined, removes from) the scene's environment. */
  startApp(env?: Record<string, string | undefined>): Promise<AppProcess>;
  /** Another ingestion stand-in (same certificate), with a fault switched on; stopped with the scene. */
  startIngestion(fault: IngestionFault): Promise<IngestionStandin>;
  stop(): Promise<void>;
}

export async function startScene(): Promise<Scene> {
  assertBuilt();
  const dir = await mkdtemp(path.join(tmpdir(), 'telemetry-test-'));
  let appRoot = root;
  if (appBuild === 'package') {
    appRoot = path.join(dir, 'package');
    await promisify(execFile)(process.execPath, [PACKAGER, '--out', appRoot, '--quiet'], { cwd: root });
  }
  const tls = await ensureLocalTls({ stateDir: dir });
  const [ingestion, entra, guard, azurite] = await Promise.all([
    IngestionStandin.start({ certPem: tls.certPem, keyPem: tls.keyPem, slowMs: 15_000 }),
    new FakeEntraMetadataServer().start(),
    EgressGuard.start(),
    // The orders store the apps share (the app needs one to start; the orders routes use it).
    startAzuriteTable({ location: path.join(dir, 'azurite') }),
  ]);
  const key = createTestKey();
  entra.setKeys([key.publicJwk]);
  const apps: AppProcess[] = [];
  let started = 0;
  const extraIngestion: IngestionStandin[] = [];
  return {
    dir,
    tls,
    ingestion,
    entra,
    guard,
    key,
    token: (options = {}) => mintAccessToken(key, { instance: entra.url, ...options }),
    async startApp(env = {}) {
      // Own TMPDIR per app: the SDK keeps unsent telemetry on disk there, and replays it at start.
      const appTmp = path.join(dir, `app-${++started}`);
      await mkdir(appTmp);
      const app = await AppProcess.start(appRoot, {
        PATH: process.env.PATH ?? '',
        TMPDIR: appTmp,
        NODE_EXTRA_CA_CERTS: tls.caPath,
        AUTH_TENANT_ID: TENANT,
        AUTH_CLIENT_ID: API_CLIENT_ID,
        AUTH_APP_ID_URI: APP_ID_URI,
        AUTH_INSTANCE: entra.url,
        ORDERS_STORAGE: azurite.connectionString,
        APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString(randomUUID()),
        // The SDK's own reporting to Microsoft stays off; anything else it tries hits the guard.
        APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
        APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
        APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
        ...guard.environment,
        ...env,
      });
      apps.push(app);
      return app;
    },
    async startIngestion(fault) {
      const standin = await IngestionStandin.start({ certPem: tls.certPem, keyPem: tls.keyPem, slowMs: 15_000 });
      extraIngestion.push(standin);
      await standin.setFault(fault);
      return standin;
    },
    async stop() {
      await Promise.all(apps.map((app) => app.kill()));
      await Promise.all([ingestion.stop(), entra.stop(), guard.stop(), azurite.stop(), ...extraIngestion.map((standin) => standin.stop())]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface AppResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** What the child wrote on stderr as JSON lines. */
export interface ChildReports {
  readonly telemetry: Record<string, unknown>[];
  readonly unhandledRejections: string[];
  readonly uncaughtExceptions: string[];
  readonly logs: string[];
  readonly other: string[];
}

export class AppProcess {
  readonly reports: ChildReports = { telemetry: [], unhandledRejections: [], uncaughtExceptions: [], logs: [], other: [] };
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly instrumentationKey: string | undefined;
  /** The child's TMPDIR, where the SDK keeps telemetry it could not send. */
  readonly tmpDir: string | undefined;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();
  private listening = '';

  private constructor(appRoot: string, env: Record<string, string>) {
    this.tmpDir = env.TMPDIR;
    this.instrumentationKey = /InstrumentationKey=([^;]+)/.exec(env.APPLICATIONINSIGHTS_CONNECTION_STRING ?? '')?.[1];
    const child = spawn(process.execPath, [WORKER, appRoot], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => { resolve({ code, signal }); }));
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      this.record(line);
    });
  }

  get url(): string {
    return this.listening;
  }

  static async start(appRoot: string, env: Record<string, string | undefined>): Promise<AppProcess> {
    const clean = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const app = new AppProcess(appRoot, clean);
    app.listening = await new Promise<string>((resolve, reject) => {
      createInterface({ input: app.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        const parsed = JSON.parse(line) as { devHost?: string };
        if (parsed.devHost) resolve(parsed.devHost);
      });
      void app.exited.then(({ code }) => {
        reject(new Error(`app exited (${String(code)}) before listening: ${JSON.stringify(app.reports)}`));
      });
    });
    return app;
  }

  async get(route: string, token?: string): Promise<AppResponse> {
    const response = await fetch(`${this.url}/api/${route}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** Resolves once the child reports a telemetry diagnostic of this kind. */
  waitForTelemetry(kind: string, timeoutMs: number): Promise<Record<string, unknown>> {
    const find = () => this.reports.telemetry.find((diagnostic) => diagnostic.kind === kind);
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = find();
        if (!hit) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`app reported no telemetry "${kind}" within ${timeoutMs} ms; reports: ${JSON.stringify(this.reports)}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** SIGTERM, then the exit (SIGKILL if it takes longer than `graceMs`). */
  async terminate(graceMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  private record(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      this.reports.other.push(line);
      return;
    }
    const entry = parsed as { telemetry?: Record<string, unknown>; unhandledRejection?: string; uncaughtException?: string; log?: string };
    if (entry.telemetry) this.reports.telemetry.push(entry.telemetry);
    else if (entry.unhandledRejection !== undefined) this.reports.unhandledRejections.push(entry.unhandledRejection);
    else if (entry.uncaughtException !== undefined) this.reports.uncaughtExceptions.push(entry.uncaughtException);
    else if (entry.log !== undefined) this.reports.logs.push(entry.log);
    else this.reports.other.push(line);
    for (const waiter of [...this.waiters]) waiter();
  }
}
