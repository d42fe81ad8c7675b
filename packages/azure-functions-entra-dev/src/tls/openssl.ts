import { execFile } from 'node:child_process';

export type OpensslErrorCode = 'openssl_missing' | 'openssl_failed';

/** The `openssl` command could not be run, or refused what it was asked to do. */
export class OpensslError extends Error {
  constructor(
    readonly code: OpensslErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OpensslError';
  }
}

export interface OpensslOptions {
  /** The openssl executable; defaults to `openssl` on PATH. */
  readonly openssl?: string | undefined;
  readonly cwd?: string;
}

/**
 * Runs the machine's `openssl` with `args` (never through a shell). Certificates are
 * made with the real tool rather than hand-rolled ASN.1, so what the dev stand-ins
 * serve is what OpenSSL-based clients and Node's TLS stack expect.
 */
export function runOpenssl(args: readonly string[], options: OpensslOptions = {}): Promise<string> {
  const command = options.openssl ?? 'openssl';
  return new Promise((resolve, reject) => {
    execFile(
      command,
      [...args],
      { cwd: options.cwd, encoding: 'utf8', maxBuffer: 4 * 1024 * 1024, timeout: 60_000, windowsHide: true },
      (error, stdout, stderr) => {
        if (!error) {
          resolve(stdout);
          return;
        }
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new OpensslError('openssl_missing', `${command} was not found; install OpenSSL or name the executable with --openssl <path>`, { cause: error }));
          return;
        }
        const detail = stderr.trim().split('\n').slice(-3).join(' | ');
        reject(new OpensslError('openssl_failed', `${command} ${args[0] ?? ''} failed: ${detail || error.message}`, { cause: error }));
      },
    );
  });
}
