import { constants, createHash, createHmac, createPublicKey, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { b64url } from './entraTokens';

/**
 * Building blocks for hostile tokens: compact JWS assembled by hand from raw segments
 * (so duplicate members, non-canonical base64url and foreign algorithms can be signed
 * for real), X.509 material for `x5c`, and a local trap for `jku`/`x5u` URLs.
 */

/** Produces the signature bytes over the JWS signing input (`header.payload`). */
export type Signer = (signingInput: Buffer) => Buffer;

/** A segment given as raw text/bytes (used verbatim) or a value to serialize as JSON. */
export type SegmentSource = string | Buffer | object;

export const signers = {
  rs256: (key: KeyObject): Signer => (input) => sign('sha256', input, key),
  rs384: (key: KeyObject): Signer => (input) => sign('sha384', input, key),
  rs512: (key: KeyObject): Signer => (input) => sign('sha512', input, key),
  ps256: (key: KeyObject): Signer => (input) => sign('sha256', input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }),
  es256: (key: KeyObject): Signer => (input) => sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' }),
  eddsa: (key: KeyObject): Signer => (input) => sign(null, input, key),
  hmac: (hash: 'sha256' | 'sha384' | 'sha512', secret: string | Buffer): Signer => (input) => createHmac(hash, secret).update(input).digest(),
  /** Fixed bytes whatever the input: empty (alg none), zeros (psychic signatures)... */
  fixed: (bytes: Buffer): Signer => () => bytes,
  /**
   * The RS256 "signature" that verifies under an RSA key whose public exponent is 1:
   * the PKCS#1 v1.5 encoded digest itself (s^1 mod n = s). Anyone can compute it.
   */
  exponentOneForgery: (modulusBytes: number): Signer => (input) => pkcs1v15Sha256(createHash('sha256').update(input).digest(), modulusBytes),
};

/** `header.payload.signature`, with the signature computed over the segments as written. */
export function compact(header: SegmentSource, payload: SegmentSource, signer: Signer): string {
  return compactSegments(b64url(header), b64url(payload), signer);
}

/** Like `compact`, from already-encoded (possibly malformed) header and payload segments. */
export function compactSegments(header: string, payload: string, signer: Signer): string {
  return `${header}.${payload}.${signer(Buffer.from(`${header}.${payload}`)).toString('base64url')}`;
}

export function segmentsOf(token: string): [string, string, string] {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error(`expected a 3-segment token, got ${parts.length}`);
  return parts as [string, string, string];
}

export function replaceSegment(token: string, index: 0 | 1 | 2, segment: string): string {
  const parts = segmentsOf(token);
  parts[index] = segment;
  return parts.join('.');
}

/** The same bytes in standard base64 (`+` and `/`), unpadded. Throws if that would not change the text. */
export function toStandardBase64(segment: string): string {
  const standard = segment.replaceAll('-', '+').replaceAll('_', '/');
  if (standard === segment) throw new Error('segment has no "-" or "_" to turn into standard base64');
  return standard;
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Sets an unused low bit of the last character: decoders that ignore trailing bits
 * read the same bytes, so one token gets several spellings (a malleability vector).
 */
export function withNonCanonicalTail(segment: string): string {
  if (segment.length % 4 === 0) throw new Error('segment length is a multiple of 4: no unused trailing bits');
  const index = BASE64URL_ALPHABET.indexOf(segment.slice(-1));
  if (index < 0) throw new Error('segment does not end in a base64url character');
  const replacement = BASE64URL_ALPHABET.charAt(index ^ 1);
  const result = segment.slice(0, -1) + replacement;
  if (Buffer.from(result, 'base64url').toString('base64url') !== segment) throw new Error('tail change altered the decoded bytes');
  return result;
}

/** The public half of an RSA private key as PEM: SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`). */
export function publicKeyPem(privateKey: KeyObject, type: 'spki' | 'pkcs1'): string {
  return createPublicKey(privateKey).export({ type, format: 'pem' }).toString();
}

/** The JWK with its modulus left-padded with zero bytes: same key, longer-looking `n`. */
export function withZeroPaddedModulus(jwk: JWK, totalBytes: number): JWK {
  const n = Buffer.from(jwk.n ?? '', 'base64url');
  return { ...jwk, n: Buffer.concat([Buffer.alloc(Math.max(0, totalBytes - n.length)), n]).toString('base64url') };
}

const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** EMSA-PKCS1-v1_5 encoding of a SHA-256 digest (RFC 8017 §9.2). */
function pkcs1v15Sha256(digest: Buffer, modulusBytes: number): Buffer {
  const t = Buffer.concat([SHA256_DIGEST_INFO, digest]);
  return Buffer.concat([Buffer.from([0x00, 0x01]), Buffer.alloc(modulusBytes - t.length - 3, 0xff), Buffer.from([0x00]), t]);
}

// Minimal DER writer, enough for one self-signed certificate.
function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  let length: Buffer;
  if (body.length < 0x80) {
    length = Buffer.from([body.length]);
  } else {
    const hex = body.length.toString(16);
    const bytes = Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex');
    length = Buffer.concat([Buffer.from([0x80 | bytes.length]), bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), length, body]);
}
const sequence = (...content: Buffer[]) => der(0x30, ...content);

/**
 * A real, self-signed X.509 v3 certificate (sha256WithRSAEncryption) for an attacker's
 * RSA key, DER-encoded: what an `x5c` header would carry. Checked with node's X509Certificate.
 */
export function selfSignedCertificate(privateKey: KeyObject, commonName: string): Buffer {
  const sha256WithRsa = sequence(der(0x06, Buffer.from('2a864886f70d01010b', 'hex')), der(0x05));
  const name = sequence(der(0x31, sequence(der(0x06, Buffer.from('550403', 'hex')), der(0x0c, Buffer.from(commonName)))));
  const validity = sequence(der(0x17, Buffer.from('250101000000Z')), der(0x17, Buffer.from('350101000000Z')));
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const tbs = sequence(der(0xa0, der(0x02, Buffer.from([2]))), der(0x02, Buffer.from([0x01, 0x23, 0x45])), sha256WithRsa, name, validity, name, spki);
  const signature = sign('sha256', tbs, privateKey);
  const certificate = sequence(tbs, sha256WithRsa, der(0x03, Buffer.from([0]), signature));
  if (!new X509Certificate(certificate).verify(createPublicKey(privateKey))) throw new Error('self-signed certificate does not verify');
  return certificate;
}

/** An HTTP server on 127.0.0.1 that logs every request it gets: proof that nothing was fetched from it. */
export interface RequestTrap {
  readonly url: string;
  readonly requests: string[];
  stop(): Promise<void>;
}

export async function startRequestTrap(body: object): Promise<RequestTrap> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '/');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** What a promise rejected with; a string naming the problem if it resolved instead. */
export async function rejectionOf(pending: Promise<unknown>): Promise<unknown> {
  try {
    await pending;
  } catch (error) {
    return error;
  }
  return 'accepted: the promise resolved instead of rejecting';
}
