import { randomUUID } from 'node:crypto';
import type { IngestionFault, IngestionStandin } from '../../dev/ingestion-standin/ingestionStandin';
import { readPersistedTelemetry, waitForPersistedTelemetry, type PersistedTelemetry } from './support/persistedTelemetry';
import { startScene, type AppProcess, type Scene } from './support/telemetryScene';

/**
 * Ingestion down (connection refused), erroring (503) or hanging (answers after 15 s),
 * with the real SDK in the app: callers get the same answers as ever, nothing rejects
 * unhandled, and SIGTERM still ends the app promptly. Each app runs a batch of
 * requests, waits until the SDK has loaded and met the fault, runs the batch again
 * (now with exports failing or hanging), then gets SIGTERM.
 */
interface Run {
  readonly app: AppProcess;
  readonly ingestion: IngestionStandin;
  readonly statuses: number[];
  readonly tokens: string[];
  readonly exit: { code: number | null; signal: NodeJS.Signals | null };
  /** Ingestion requests not answered yet when the app had exited. */
  readonly unansweredAtExit: number;
  readonly persisted: PersistedTelemetry;
}

let scene: Scene;
const runs = new Map<IngestionFault, Run>();

async function exercise(fault: IngestionFault): Promise<Run> {
  const ingestion = await scene.startIngestion(fault);
  const app = await scene.startApp({ APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString(randomUUID()) });
  const tokens = [await scene.token(), await scene.token({ now: Math.floor(Date.now() / 1000) - 7200 })];
  const batch = async () => [(await app.get('me', tokens[0])).status, (await app.get('me')).status, (await app.get('orders', tokens[1])).status];

  const statuses = await batch();
  await app.waitForTelemetry('loaded', 20_000);
  // Wait until the SDK has actually tried to export and met the fault.
  if (fault === 'refused' || fault === 'http-503') {
    if (!app.tmpDir) throw new Error('app has no TMPDIR');
    await waitForPersistedTelemetry(app.tmpDir, 15_000);
  } else {
    await ingestion.waitFor((standin) => standin.requests.length > 0, 15_000, 'export attempt');
  }
  statuses.push(...(await batch()));

  const exit = await app.terminate();
  const unansweredAtExit = ingestion.requests.filter((request) => !request.answered).length;
  const persisted = app.tmpDir ? await readPersistedTelemetry(app.tmpDir) : { files: [], bytes: Buffer.alloc(0), envelopes: [] };
  return { app, ingestion, statuses, tokens, exit, unansweredAtExit, persisted };
}

beforeAll(async () => {
  scene = await startScene();
  const faults: IngestionFault[] = ['refused', 'http-503', 'slow'];
  // Settled, not all: a failing run must not leave the others running past the suite.
  const results = await Promise.allSettled(faults.map((fault) => exercise(fault)));
  for (const [index, result] of results.entries()) {
    if (result.status === 'rejected') throw result.reason;
    runs.set(faults[index] as IngestionFault, result.value);
  }
}, 90_000);

afterAll(() => scene.stop());

const run = (fault: IngestionFault): Run => {
  const found = runs.get(fault);
  if (!found) throw new Error(`no run for ${fault}`);
  return found;
};

describe.each(['refused', 'http-503', 'slow'] as const)('ingestion %s', (fault) => {
  it('leaves every answer unchanged, before and after the SDK met the fault', () => {
    expect(run(fault).statuses).toEqual([200, 401, 401, 200, 401, 401]);
  });

  it('raises no unhandled rejection or exception in the app', () => {
    expect(run(fault).app.reports.unhandledRejections).toEqual([]);
    expect(run(fault).app.reports.uncaughtExceptions).toEqual([]);
  });

  it('still ends the app on SIGTERM, by that signal', () => {
    expect(run(fault).exit).toEqual({ code: null, signal: 'SIGTERM' });
  });
});

// Whether the SDK has written its retry file by SIGTERM depends on its timers (on a loaded
// machine it may not have), so only what it did write is checked.
describe.each(['refused', 'http-503'] as const)('ingestion %s', (fault) => {
  it('keeps no token material in what it stores on disk', () => {
    const { persisted, tokens } = run(fault);
    const bytes = persisted.bytes.toString('latin1');
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) for (const segment of token.split('.')) expect(bytes).not.toContain(segment);
  });
});

it('sees the erroring endpoint asked and answered 503', () => {
  const { ingestion } = run('http-503');
  expect(ingestion.requests.length).toBeGreaterThan(0);
  expect(new Set(ingestion.requests.map((request) => request.status))).toEqual(new Set([503]));
});

it('does not wait for a hanging endpoint at shutdown beyond its bound', () => {
  const { ingestion, unansweredAtExit, app } = run('slow');
  expect(ingestion.requests.length).toBeGreaterThan(0);
  // The app was gone while ingestion still held its request.
  expect(unansweredAtExit).toBeGreaterThan(0);
  expect(app.reports.telemetry.map((diagnostic) => diagnostic.kind)).toContain('shutdown_timeout');
});
