import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { customEvents, customMetrics, decodeBody, parseEnvelopes, TrackPayloadError, type CustomEvent, type CustomMetric, type TelemetryEnvelope } from './trackPayload';

/**
 * A local stand-in for the Application Insights ingestion endpoint ("Breeze"): an
 * HTTPS server on 127.0.0.1 that accepts the SDK's track POSTs, answers as Breeze
 * does, and records every request (raw bytes and decoded envelopes). Faults can be
 * switched on to see what the app does when ingestion is down, erroring or slow.
 * HTTPS because the Azure Monitor exporter refuses plain http; the certificate must
 * be trusted by the sending process (NODE_EXTRA_CA_CERTS, read at process start).
 */
export type IngestionFault =
  | 'none'
  /** Nothing listens on the port: connection refused. */
  | 'refused'
  /** Connections are accepted and dropped at once (reset during the TLS handshake). */
  | 'reset'
  | 'http-500'
  | 'http-503'
  /** Requests are read and answered correctly after `slowMs`. */
  | 'slow';

export interface ReceivedTrackRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Request line, headers and body exactly as received (body before Content-Encoding is undone). */
  readonly raw: Buffer;
  /** The body after Content-Encoding is undone. */
  readonly body: Buffer;
  readonly envelopes: readonly TelemetryEnvelope[];
  /** The fault in force when the request arrived, and the status answered (or to be answered). */
  readonly fault: IngestionFault;
  readonly status: number;
  /** Whether the response has been sent (false while a slow answer is pending). */
  answered: boolean;
}

export interface IngestionStandinOptions {
  readonly certPem: string;
  readonly keyPem: string;
  /** Default 0: any free port. */
  readonly port?: number;
  readonly slowMs?: number;
  /** Bodies above this are refused with 413, as Breeze refuses oversized batches. Default 16 MiB. */
  readonly maxBodyBytes?: number;
  /** One line per request: method, path, status, item count. */
  readonly log?: (line: string) => void;
}

const HOST = '127.0.0.1';
const TRACK_PATHS = new Set(['/v2/track', '/v2.1/track']);

export class IngestionStandin {
  readonly requests: ReceivedTrackRequest[] = [];
  /** TCP connections accepted, including ones dropped by the `reset` fault. */
  connections = 0;
  slowMs: number;
  private currentFault: IngestionFault = 'none';
  private readonly sockets = new Set<Socket>();
  private readonly pending = new Set<NodeJS.Timeout>();
  private readonly waiters = new Set<() => void>();
  private readonly server: Server;
  private listenPort = 0;

  private constructor(private readonly options: IngestionStandinOptions) {
    this.slowMs = options.slowMs ?? 10_000;
    this.server = createServer({ cert: options.certPem, key: options.keyPem }, (req, res) => {
      this.handle(req, res);
    });
    this.server.on('connection', (socket: Socket) => {
      this.connections++;
      if (this.currentFault === 'reset') {
        socket.destroy();
        this.notify();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // A client hanging up mid-handshake is normal here (faults, stopped tests).
    this.server.on('tlsClientError', () => undefined);
  }

  static async start(options: IngestionStandinOptions): Promise<IngestionStandin> {
    const standin = new IngestionStandin(options);
    await standin.listen(options.port ?? 0);
    return standin;
  }

  /** https://127.0.0.1:<port>, the IngestionEndpoint. */
  get url(): string {
    return `https://${HOST}:${this.listenPort}`;
  }

  get fault(): IngestionFault {
    return this.currentFault;
  }

  /** A connection string sending to this stand-in. */
  connectionString(instrumentationKey: string): string {
    return `InstrumentationKey=${instrumentationKey};IngestionEndpoint=${this.url}/`;
  }

  /** Switches the fault; `refused` stops listening (dropping open connections), leaving it listens again on the same port. */
  async setFault(fault: IngestionFault): Promise<void> {
    const wasRefused = this.currentFault === 'refused';
    this.currentFault = fault;
    if (fault === 'refused' && !wasRefused) {
      await this.close();
    } else if (fault !== 'refused' && wasRefused) {
      await this.listen(this.listenPort);
    }
  }

  envelopes(iKey?: string): TelemetryEnvelope[] {
    return this.requests.flatMap((request) => request.envelopes).filter((item) => iKey === undefined || item.iKey === iKey);
  }

  events(name?: string, iKey?: string): CustomEvent[] {
    return customEvents(this.envelopes(iKey)).filter((event) => name === undefined || event.name === name);
  }

  metrics(name?: string, iKey?: string): CustomMetric[] {
    return customMetrics(this.envelopes(iKey)).filter((metric) => name === undefined || metric.name === name);
  }

  /** Everything received: raw requests followed by their decoded bodies. */
  receivedBytes(): Buffer {
    return Buffer.concat(this.requests.flatMap((request) => [request.raw, request.body]));
  }

  /** Resolves once `condition` holds (checked on every request), rejects after `timeoutMs`. */
  waitFor(condition: (standin: this) => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
    if (condition(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition(this)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`ingestion stand-in: no ${what} within ${timeoutMs} ms (${this.requests.length} requests, ${this.connections} connections)`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  async stop(): Promise<void> {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
    await this.close();
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, HOST, () => {
        this.server.off('error', reject);
        this.listenPort = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => this.server.close(() => { resolve(); }));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    const max = this.options.maxBodyBytes ?? 16 * 1024 * 1024;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
    });
    req.on('end', () => {
      this.receive(req, res, Buffer.concat(chunks), size > max);
    });
  }

  private receive(req: IncomingMessage, res: ServerResponse, rawBody: Buffer, tooLarge: boolean): void {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'https://localhost').pathname;
    const head = Buffer.from(`${method} ${req.url ?? '/'} HTTP/${req.httpVersion}\r\n${pairs(req.rawHeaders).map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n`, 'latin1');
    const fault = this.currentFault;

    let status: number;
    let reply: object | string;
    let body = rawBody;
    let envelopes: TelemetryEnvelope[] = [];
    if (!TRACK_PATHS.has(path)) {
      [status, reply] = [404, { error: 'not_found' }];
    } else if (method !== 'POST') {
      [status, reply] = [405, { error: 'method_not_allowed' }];
    } else if (tooLarge) {
      [status, reply] = [413, { itemsReceived: 0, itemsAccepted: 0, errors: [] }];
    } else {
      try {
        body = decodeBody(rawBody, header(req, 'content-encoding'));
        envelopes = parseEnvelopes(body);
        const n = envelopes.length;
        if (fault === 'http-500' || fault === 'http-503') {
          status = fault === 'http-500' ? 500 : 503;
          reply = { itemsReceived: n, itemsAccepted: 0, errors: envelopes.map((_, index) => ({ index, statusCode: status, message: 'ingestion stand-in fault' })) };
        } else {
          [status, reply] = [200, { itemsReceived: n, itemsAccepted: n, errors: [] }];
        }
      } catch (error) {
        if (!(error instanceof TrackPayloadError)) throw error;
        [status, reply] = [400, { itemsReceived: 0, itemsAccepted: 0, errors: [{ index: 0, statusCode: 400, message: error.message }] }];
      }
    }

    const record: ReceivedTrackRequest = {
      method,
      path,
      headers: { ...req.headers },
      raw: Buffer.concat([head, rawBody]),
      body,
      envelopes,
      fault,
      status,
      answered: false,
    };
    this.requests.push(record);
    this.options.log?.(`${method} ${path} -> ${status}${fault === 'none' ? '' : ` (${fault})`}, ${envelopes.length} items`);

    const send = () => {
      record.answered = true;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(typeof reply === 'string' ? reply : JSON.stringify(reply));
      this.notify();
    };
    if (fault === 'slow') {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        send();
      }, this.slowMs);
      this.pending.add(timer);
      this.notify();
    } else {
      send();
    }
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function pairs(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] ?? '', raw[i + 1] ?? '']);
  return out;
}
