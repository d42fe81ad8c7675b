import { readAccessTokenClaims } from '../../packages/azure-functions-entra-auth/src/entra/accessTokenClaims';
import { checkJoseHeader } from '../../packages/azure-functions-entra-auth/src/jwt/checkJoseHeader';
import { decodeCompactJwt } from '../../packages/azure-functions-entra-auth/src/jwt/decodeCompactJwt';
import { parseJsonObject } from '../../packages/azure-functions-entra-auth/src/jwt/strictJson';
import { VerifiedTokenCache } from '../../packages/azure-functions-entra-auth/src/verify/verifiedTokenCache';
import { checkAccessToken, checkAudience, checkClientApp, checkIssuer, checkLifetime, checkTenant, checkTokenVersion } from '../../packages/azure-functions-entra-auth/src/verify/tokenRules';
import type { Benchmark } from '../support/benchmark';
import { startLoadMeter } from '../support/machineLoad';
import { measureInterleaved, type MeasuredCase, type Op } from '../support/measure';
import { byId, loadLine, resultTable } from '../support/report';
import { median } from '../support/stats';
import { distinctTokens } from '../support/verifyCases';
import { freshCopy, type VerifyFixture } from '../support/verifyFixture';

/**
 * Where a first-seen verification spends its time besides the signature: the
 * verifier's own steps, each run alone in the order createAccessTokenVerifier runs
 * them, and the primitives inside decoding. All are synchronous, as the verifier's
 * path is once keys are loaded, so they measure steadily even on a busy machine.
 * Keep in step with the auth package's verify/createAccessTokenVerifier.ts.
 */
export const verifyStages: Benchmark = {
  name: 'stages',
  title: "The verifier's own steps on a first-seen token (sequential)",
  async run({ options, fixture, print }) {
    const cases = stageCases(await fixture());
    const meter = startLoadMeter();
    const results = await measureInterleaved(cases, {
      mode: { kind: 'sequential' },
      secondsPerCase: options.secondsPerCase / 3,
      roundMs: 50,
      warmupSeconds: 0.3,
    });
    const load = meter();
    for (const line of resultTable(results)) print(line);
    print();
    const cpu = (id: string) => median(byId(results, id).cpuSamples);
    const decode = cpu('decode');
    // A first-seen token is not digested (second-sight admission); the digest is paid from the second sighting on.
    const own = decode + cpu('rules') + cpu('keyStore');
    print(`the verifier's own work per first-seen token, in CPU µs (compare with first-seen − crypto.verify sync in [latency]):`);
    print(`  decode ${decode.toFixed(1)} + header and claim rules ${cpu('rules').toFixed(1)} + key store lookups ${cpu('keyStore').toFixed(1)} = ${own.toFixed(1)}`);
    print(`  a token seen before adds the cache digest, ${cpu('digest').toFixed(1)}, to look itself up`);
    print(
      `  inside decode (payload; the repeated header is remembered): base64url ${cpu('base64').toFixed(1)}, canonical re-encode ${(cpu('base64Canonical') - cpu('base64')).toFixed(1)}, ` +
        `JSON.parse ${cpu('jsonParse').toFixed(1)}, duplicate-member scan ${(cpu('strictJson') - cpu('jsonParse')).toFixed(1)}, ` +
        `the rest (split, header lookup, signature form, UTF-8) ${(decode - cpu('base64Canonical') - cpu('strictJson')).toFixed(1)}`,
    );
    print(loadLine(load));
  },
};

function stageCases(fixture: VerifyFixture): MeasuredCase[] {
  const { tokens, settings, keyStore, issuer } = fixture;
  const payloadSegments = tokens.map((token) => token.split('.')[1] ?? '');
  const payloadTexts = payloadSegments.map((segment) => Buffer.from(segment, 'base64url').toString('utf8'));
  const cache = new VerifiedTokenCache({ maxEntries: 1, maxBytes: 1, clockSkewSeconds: settings.clockSkewSeconds, maxLifetimeSeconds: settings.maxTokenLifetimeSeconds, now: Date.now });
  const decoded = tokens.map((token) => decodeCompactJwt(token));
  const nowSeconds = Date.now() / 1000;
  const sync = (op: (i: number) => void): Op => (i) => {
    op(i);
    return undefined;
  };

  return [
    distinctTokens('decode', 'decodeCompactJwt', tokens.length, (size, take) => {
      const batch = take(tokens).map(freshCopy);
      return {
        size,
        op: sync((i) => {
          decodeCompactJwt(batch[i] as string);
        }),
      };
    }),
    distinctTokens('base64', '  payload base64url decode', tokens.length, (size, take) => {
      const batch = take(payloadSegments);
      return { size, op: sync((i) => void Buffer.from(batch[i] as string, 'base64url')) };
    }),
    distinctTokens('base64Canonical', '  payload base64url decode + re-encode', tokens.length, (size, take) => {
      const batch = take(payloadSegments);
      return { size, op: sync((i) => void Buffer.from(batch[i] as string, 'base64url').toString('base64url')) };
    }),
    distinctTokens('jsonParse', '  JSON.parse payload', tokens.length, (size, take) => {
      const batch = take(payloadTexts);
      return { size, op: sync((i) => void JSON.parse(batch[i] as string)) };
    }),
    distinctTokens('strictJson', '  parseJsonObject payload', tokens.length, (size, take) => {
      const batch = take(payloadTexts);
      return { size, op: sync((i) => void parseJsonObject(batch[i] as string)) };
    }),
    distinctTokens('rules', 'header + claim rules (decoded token)', tokens.length, (size, take) => {
      const batch = take(decoded);
      return {
        size,
        op: sync((i) => {
          const { header, payload } = batch[i] as (typeof decoded)[number];
          checkJoseHeader(header);
          const claims = readAccessTokenClaims(payload);
          const version = checkTokenVersion(claims, settings);
          checkAudience(payload, header, settings);
          checkLifetime(claims, nowSeconds, settings.clockSkewSeconds);
          checkTenant(claims, settings);
          checkClientApp(checkAccessToken(claims, version), version, settings);
          checkIssuer(claims, issuer);
        }),
      };
    }),
    distinctTokens('keyStore', 'key store: loaded metadata + loaded key', tokens.length, (size, take) => {
      const kids = take(decoded).map(({ header }) => checkJoseHeader(header).kid);
      return {
        size,
        op: sync((i) => {
          if (!keyStore.loadedMetadata('2.0') || !keyStore.loadedKey('2.0', kids[i] as string)) throw new Error('the fixture key store is not warm');
        }),
      };
    }),
    distinctTokens('digest', 'cache key: SHA-256 of the token', tokens.length, (size, take) => {
      const batch = take(tokens).map(freshCopy);
      return { size, op: sync((i) => void cache.digest(batch[i] as string)) };
    }),
  ];
}
