import { spawn } from 'node:child_process';

/**
 * Signs a precomputed digest, as Key Vault does. Node's crypto always hashes what it
 * signs, so this runs `openssl pkeyutl` (the tool the dev package's local CA already relies on), which
 * signs the digest itself: PKCS#1 v1.5 with the digest's DigestInfo for RSA, plain
 * ECDSA for EC. ECDSA comes back DER-encoded and is turned into JWS's raw r||s,
 * which is what the vault returns.
 */
export async function signDigest(options: {
  readonly openssl: string;
  readonly privateKeyPath: string;
  readonly digest: Buffer;
  readonly kind: 'RSA' | 'EC';
  /** RSA: the hash named in the DigestInfo (sha256, sha384, sha512). */
  readonly hash?: string;
  /** EC: the byte length of r and of s (32 for P-256, 48 for P-384, 66 for P-521). */
  readonly fieldBytes?: number;
}): Promise<Buffer> {
  const args = ['pkeyutl', '-sign', '-inkey', options.privateKeyPath];
  if (options.kind === 'RSA') args.push('-pkeyopt', `digest:${options.hash ?? 'sha256'}`);
  const output = await run(options.openssl, args, options.digest);
  return options.kind === 'RSA' ? output : derToRaw(output, options.fieldBytes ?? 32);
}

function run(command: string, args: readonly string[], input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${command} pkeyutl failed (exit ${code ?? 'signal'}): ${Buffer.concat(err).toString('utf8').trim().split('\n').slice(-2).join(' | ')}`));
    });
    child.stdin.end(input);
  });
}

/** ECDSA-Sig-Value (SEQUENCE of INTEGER r, INTEGER s) to r||s, each left-padded to `fieldBytes`. */
export function derToRaw(der: Buffer, fieldBytes: number): Buffer {
  let offset = 0;
  const byte = () => {
    const value = der[offset++];
    if (value === undefined) throw new Error('truncated ECDSA signature');
    return value;
  };
  const length = () => {
    const first = byte();
    if (first < 0x80) return first;
    let value = 0;
    for (let i = 0; i < (first & 0x7f); i++) value = (value << 8) | byte();
    return value;
  };
  if (byte() !== 0x30) throw new Error('ECDSA signature is not a DER SEQUENCE');
  length();
  const integer = () => {
    if (byte() !== 0x02) throw new Error('ECDSA signature member is not an INTEGER');
    const size = length();
    let value = der.subarray(offset, offset + size);
    offset += size;
    while (value.length > fieldBytes && value[0] === 0) value = value.subarray(1);
    if (value.length > fieldBytes) throw new Error('ECDSA signature member longer than the field');
    return Buffer.concat([Buffer.alloc(fieldBytes - value.length), value]);
  };
  return Buffer.concat([integer(), integer()]);
}
