import { LRUCache } from 'lru-cache';
import { readAccessTokenClaims } from '../../packages/azure-functions-entra-auth/src/entra/accessTokenClaims';
import { decodeCompactJwt } from '../../packages/azure-functions-entra-auth/src/jwt/decodeCompactJwt';
import type { VerifiedAccessToken } from '../../packages/azure-functions-entra-auth/src/verify/verifiedAccessToken';
import { VerifiedTokenCache } from '../../packages/azure-functions-entra-auth/src/verify/verifiedTokenCache';
import type { Benchmark } from '../support/benchmark';
import { median } from '../support/stats';
import { formatNumber } from '../support/table';
import { freshCopy } from '../support/verifyFixture';

const REPEATS = 5;
const DEFAULT_CACHE_SIZE = 10_000;
const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;
/** Distinct tokens for the at-scale measurement (issue 13 §4). */
const SCALES = [10_000, 100_000] as const;
const MiB = 1024 * 1024;

/**
 * Heap held by the verified-token cache. First per entry through the verifier (each
 * token a fresh string that only the cache could keep, as in production); then at
 * 10,000 and 100,000 distinct tokens filled straight into the cache (re-signing
 * 100,000 tokens would take minutes; the cache never sees the signature anyway),
 * beside the reference: the same entries keyed by the raw token, as before issue 13.
 */
export const verifiedCacheMemory: Benchmark = {
  name: 'memory',
  title: 'Verified-token cache: heap per cached token, and at 10,000 and 100,000 distinct tokens',
  async run({ fixture, print }) {
    const collect = globalThis.gc;
    if (!collect) throw new Error('run node with --expose-gc to measure heap growth');
    const { tokens, newVerifier, settings } = await fixture();
    const heapUsed = () => {
      collect();
      collect();
      return process.memoryUsage().heapUsed;
    };

    const perEntry: number[] = [];
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      const verifier = newVerifier(tokens.length + 1); // no evictions
      // A token is cached at its second verification (second-sight admission): twice each.
      for (let sighting = 0; sighting < 2; sighting++) await verifier.verify(freshCopy(tokens[0] ?? '')); // allocations of a first use are not per entry
      const before = heapUsed();
      for (const token of tokens.slice(1)) for (let sighting = 0; sighting < 2; sighting++) await verifier.verify(freshCopy(token));
      const after = heapUsed();
      perEntry.push((after - before) / (tokens.length - 1));
      await verifier.verify(freshCopy(tokens[0] ?? '')); // keeps the verifier (and its cache) alive until measured
    }

    const bytes = median(perEntry);
    const template = tokens[0] ?? '';
    print(`${formatNumber(tokens.length - 1)} distinct tokens cached through verify(), ${REPEATS} repeats; token length ${formatNumber(template.length)} characters`);
    print(`heap per cached token: ${formatNumber(bytes)} bytes (median; repeats ${perEntry.map((value) => formatNumber(value)).join(', ')}); the cache keeps a 32-byte digest, not the token`);

    print();
    print('at scale (entries filled directly; nothing evicted):');
    print('distinct tokens | keyed by SHA-256 digest (this cache) | keyed by raw token (reference) | charged by entryBytes');
    const now = Date.now();
    for (const count of SCALES) {
      const measure = (fill: (token: string, verified: VerifiedAccessToken) => void): number => {
        const before = heapUsed();
        for (let i = 0; i < count; i++) {
          const token = distinctToken(template, i);
          fill(token, verifiedFrom(token));
        }
        return heapUsed() - before;
      };
      const digestKeyed = new VerifiedTokenCache({ maxEntries: count, maxBytes: Number.MAX_SAFE_INTEGER, clockSkewSeconds: settings.clockSkewSeconds, maxLifetimeSeconds: settings.maxTokenLifetimeSeconds, now: () => now });
      const ours = measure((token, verified) => { digestKeyed.set(digestKeyed.digest(token), verified, token.length); });
      if (digestKeyed.size !== count) throw new Error(`expected ${count} entries, the cache holds ${digestKeyed.size}`);
      const charged = digestKeyed.bytes;
      digestKeyed.clear();
      const rawKeyed = new LRUCache<string, VerifiedAccessToken>({ max: count });
      const reference = measure((token, verified) => rawKeyed.set(token, verified));
      if (rawKeyed.size !== count) throw new Error(`expected ${count} reference entries, it holds ${rawKeyed.size}`);
      rawKeyed.clear();
      print(`${formatNumber(count).padStart(15)} | ${mib(ours)} (${formatNumber(ours / count)} B each) | ${mib(reference)} (${formatNumber(reference / count)} B each) | ${mib(charged)}`);
    }

    const bounded = new VerifiedTokenCache({ maxEntries: DEFAULT_CACHE_SIZE, maxBytes: DEFAULT_CACHE_BYTES, clockSkewSeconds: settings.clockSkewSeconds, maxLifetimeSeconds: settings.maxTokenLifetimeSeconds, now: () => now });
    for (let i = 0; i < SCALES[1]; i++) {
      const token = distinctToken(template, i);
      bounded.set(bounded.digest(token), verifiedFrom(token), token.length);
    }
    print(`with the defaults (${formatNumber(DEFAULT_CACHE_SIZE)} entries, ${DEFAULT_CACHE_BYTES / MiB} MiB charged), ${formatNumber(SCALES[1])} distinct tokens leave ${formatNumber(bounded.size)} entries charged ${mib(bounded.bytes)}`);
    const padded = paddedToken(template, 15 * 1024);
    const large = new VerifiedTokenCache({ maxEntries: DEFAULT_CACHE_SIZE, maxBytes: DEFAULT_CACHE_BYTES, clockSkewSeconds: settings.clockSkewSeconds, maxLifetimeSeconds: settings.maxTokenLifetimeSeconds, now: () => now });
    const before = heapUsed();
    for (let i = 0; i < DEFAULT_CACHE_SIZE; i++) {
      const token = distinctToken(padded, i);
      large.set(large.digest(token), verifiedFrom(token), token.length);
    }
    const held = heapUsed() - before;
    print(
      `and ${formatNumber(DEFAULT_CACHE_SIZE)} distinct ${formatNumber(padded.length)}-character tokens (with a groups claim) leave ${formatNumber(large.size)} entries: ` +
        `charged ${mib(large.bytes)}, heap ${mib(held)} (the byte bound, not the count, applies)`,
    );
  },
};

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

/** The template token with a distinct `uti` (signature kept: the cache never checks it). */
function distinctToken(template: string, index: number): string {
  const [header = '', payload = '', signature = ''] = template.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  claims.uti = `bench${String(index).padStart(17, '0')}`;
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

/** The template with a large claim added, so the token is about `length` characters. */
function paddedToken(template: string, length: number): string {
  const [header = '', payload = '', signature = ''] = template.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  claims.groups = Array.from({ length: Math.ceil((length - template.length) / 52) }, (_, i) => `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`);
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

/** What the verifier caches for a token: its claims, freshly parsed as in production, and their summary. */
function verifiedFrom(token: string): VerifiedAccessToken {
  const { header, payload } = decodeCompactJwt(token);
  const claims = readAccessTokenClaims(payload);
  const tenantId = claims.tid;
  const clientAppId = claims.azp ?? '';
  const kid = String(header.kid);
  return {
    claims,
    version: '2.0',
    tenantId,
    clientAppId,
    kid,
    isAppOnly: claims.idtyp === 'app',
    roles: claims.roles ?? [],
    scopes: claims.scp?.split(' ') ?? [],
    authority: { name: 'default', kind: 'workforce' },
    userFlow: undefined,
  };
}
