import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Issue 13 §4: the verified-token cache holds no bearer credentials. A small Node process
 * fills the built cache with tokens it then drops, takes a V8 heap snapshot and looks for
 * each token's signature in it; the same run with a map keyed by the raw token (the
 * former design) is the control that shows the search finds what is there.
 * Needs the build (`npm test` runs it first).
 */
const root = path.join(__dirname, '../..');
const CACHE_MODULE = path.join(root, 'dist/verify/verifiedTokenCache.js');

const PROGRAM = `
const { getHeapSnapshot } = require('node:v8');
const { randomBytes } = require('node:crypto');
const { VerifiedTokenCache } = require(process.argv[1]);
const rawKeyed = process.argv[2] === 'raw';
const cache = new VerifiedTokenCache({ maxEntries: 100, maxBytes: 1 << 20, clockSkewSeconds: 300, maxLifetimeSeconds: 100_800, now: Date.now });
const map = new Map();
const needles = [];
// In a function, so no stack slot of the caller still holds the last token when the snapshot is taken.
function fill() {
 for (let i = 0; i < 20; i++) {
  const signature = randomBytes(48).toString('base64url');
  // Built in pieces so the only whole token is the one handed to the cache.
  const token = ['eyJhbGciOiJSUzI1NiJ9', 'eyJleHAiOjk5OTk5OTk5OTl9', signature].join('.');
  const verified = { claims: { exp: Math.floor(Date.now() / 1000) + 3600 }, version: '2.0', tenantId: 't', clientAppId: 'c', kid: 'k' };
  if (rawKeyed) map.set(token, verified); else cache.set(cache.digest(token), verified, token.length);
  needles.push([...signature].reverse().join('')); // reversed, so the needle list itself does not match
 }
}
fill();
globalThis.gc();
const chunks = [];
const snapshot = getHeapSnapshot();
snapshot.on('data', (chunk) => chunks.push(chunk));
snapshot.on('end', () => {
  const heap = Buffer.concat(chunks).toString('utf8');
  const found = needles.filter((needle) => heap.includes([...needle].reverse().join(''))).length;
  process.stdout.write(JSON.stringify({ found, entries: rawKeyed ? map.size : cache.size }));
});
`;

function run(mode: 'digest' | 'raw'): { found: number; entries: number } {
  const out = execFileSync(process.execPath, ['--expose-gc', '-e', PROGRAM, CACHE_MODULE, mode], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out) as { found: number; entries: number };
}

beforeAll(() => {
  if (!existsSync(CACHE_MODULE)) throw new Error(`build first (npm run build): ${CACHE_MODULE} is missing`);
});

describe('the verified-token cache in a heap snapshot', () => {
  it('holds none of the 20 tokens it caches', () => {
    expect(run('digest')).toEqual({ found: 0, entries: 20 });
  });

  it('control: a cache keyed by the raw token shows all 20 in the same search', () => {
    expect(run('raw')).toEqual({ found: 20, entries: 20 });
  });
});
