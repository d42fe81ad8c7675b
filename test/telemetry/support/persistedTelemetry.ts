import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseEnvelopes, type TelemetryEnvelope } from '../../../dev/ingestion-standin/trackPayload';

/**
 * What the Azure Monitor exporter kept on disk for a later retry (its offline
 * storage: `*.ai.json` files, each a JSON array of envelopes, under the process's TMPDIR).
 */
export interface PersistedTelemetry {
  readonly files: readonly string[];
  readonly bytes: Buffer;
  readonly envelopes: readonly TelemetryEnvelope[];
}

export async function readPersistedTelemetry(dir: string): Promise<PersistedTelemetry> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ai.json')).map((entry) => path.join(entry.parentPath, entry.name));
  const contents = await Promise.all(files.map((file) => readFile(file)));
  return { files, bytes: Buffer.concat(contents), envelopes: contents.flatMap((content) => parseEnvelopes(content)) };
}

/** Polls (every 50 ms, at most `timeoutMs`) until the exporter has stored something. */
export async function waitForPersistedTelemetry(dir: string, timeoutMs: number): Promise<PersistedTelemetry> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A file caught mid-write does not parse yet; the next round sees it whole.
    const persisted = await readPersistedTelemetry(dir).catch(() => undefined);
    if (persisted && persisted.envelopes.length > 0) return persisted;
    if (Date.now() > deadline) throw new Error(`no telemetry persisted under ${dir} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
