import { gunzipSync, inflateSync } from 'node:zlib';
import { z } from 'zod';

/**
 * The body of a Breeze track request (what Application Insights SDKs POST to
 * `/v2/track` and `/v2.1/track`): a JSON array of envelopes, or one envelope per line,
 * optionally gzip- or deflate-encoded.
 */
const envelope = z.looseObject({
  name: z.string(),
  time: z.string().optional(),
  iKey: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  data: z
    .looseObject({
      baseType: z.string().optional(),
      baseData: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});
export type TelemetryEnvelope = z.infer<typeof envelope>;

const stringRecord = z.record(z.string(), z.string());
const eventData = z.looseObject({ name: z.string(), properties: stringRecord.optional(), measurements: z.record(z.string(), z.number()).optional() });
const metricData = z.looseObject({
  metrics: z.array(z.looseObject({ name: z.string(), value: z.number(), count: z.number().optional(), min: z.number().optional(), max: z.number().optional() })),
  properties: stringRecord.optional(),
});

export class TrackPayloadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TrackPayloadError';
  }
}

/** Undoes Content-Encoding (gzip, deflate or none). */
export function decodeBody(raw: Buffer, contentEncoding: string | undefined): Buffer {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  try {
    if (encoding === 'gzip') return gunzipSync(raw);
    if (encoding === 'deflate') return inflateSync(raw);
  } catch (cause) {
    throw new TrackPayloadError(`body is not valid ${encoding}`, { cause });
  }
  if (encoding !== '' && encoding !== 'identity') throw new TrackPayloadError(`unsupported Content-Encoding ${encoding}`);
  return raw;
}

/** The envelopes in a decoded body. */
export function parseEnvelopes(body: Buffer): TelemetryEnvelope[] {
  const text = body.toString('utf8').trim();
  if (text === '') return [];
  let items: unknown[];
  try {
    const parsed: unknown = JSON.parse(text);
    items = Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    try {
      items = text.split('\n').filter((line) => line.trim() !== '').map((line): unknown => JSON.parse(line));
    } catch (cause) {
      throw new TrackPayloadError('body is neither a JSON array nor newline-delimited JSON', { cause });
    }
  }
  return items.map((item, index) => {
    const result = envelope.safeParse(item);
    if (!result.success) throw new TrackPayloadError(`item ${index} is not a telemetry envelope`);
    return result.data;
  });
}

/** A custom event as `customEvents` shows it. */
export interface CustomEvent {
  readonly name: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly measurements: Readonly<Record<string, number>>;
  readonly iKey: string | undefined;
}

/** A custom metric row as `customMetrics` shows it (value is the sum, count the number of measurements). */
export interface CustomMetric {
  readonly name: string;
  readonly value: number;
  readonly count: number;
  readonly properties: Readonly<Record<string, string>>;
  readonly iKey: string | undefined;
}

export function customEvents(envelopes: readonly TelemetryEnvelope[]): CustomEvent[] {
  return envelopes.flatMap((item) => {
    if (item.data?.baseType !== 'EventData') return [];
    const data = eventData.safeParse(item.data.baseData);
    return data.success ? [{ name: data.data.name, properties: data.data.properties ?? {}, measurements: data.data.measurements ?? {}, iKey: item.iKey }] : [];
  });
}

export function customMetrics(envelopes: readonly TelemetryEnvelope[]): CustomMetric[] {
  return envelopes.flatMap((item) => {
    if (item.data?.baseType !== 'MetricData') return [];
    const data = metricData.safeParse(item.data.baseData);
    if (!data.success) return [];
    return data.data.metrics.map((metric) => ({
      name: metric.name,
      value: metric.value,
      count: metric.count ?? 1,
      properties: data.data.properties ?? {},
      iKey: item.iKey,
    }));
  });
}
