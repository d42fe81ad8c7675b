import { readAccessTokenClaims } from '../../lib/entra/accessTokenClaims';
import { checkJoseHeader } from '../../lib/jwt/checkJoseHeader';
import { decodeCompactJwt } from '../../lib/jwt/decodeCompactJwt';
import { parseJsonObject } from '../../lib/jwt/strictJson';
import { checkAccessToken, checkAudience, checkClientApp, checkIssuer, checkLifetime, checkTenant, checkTokenVersion } from '../../lib/verify/tokenRules';
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
 * them, and the primitives inside decoding. All but the key store are synchronous,
 * so they measure steadily even on a busy machine. Keep in step with
 * lib/verify/createAccessTokenVerifier.ts.
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
    print(`the verifier's own work per first-seen token, in CPU µs (compare with first-seen − jwtVerify in [latency]):`);
    print(`  decode ${decode.toFixed(1)} + header and claim rules ${cpu('rules').toFixed(1)} + key store awaits ${cpu('keyStore').toFixed(1)} = ${(decode + cpu('rules') + cpu('keyStore')).toFixed(1)}`);
    print(
      `  inside decode: base64url ${cpu('base64').toFixed(1)}, canonical re-encode ${(cpu('base64Canonical') - cpu('base64')).toFixed(1)}, ` +
        `JSON.parse ${cpu('jsonParse').toFixed(1)}, duplicate-member scan ${(cpu('strictJson') - cpu('jsonParse')).toFixed(1)}, ` +
        `the rest (split, alphabet checks, UTF-8) ${(decode - cpu('base64Canonical') - cpu('strictJson')).toFixed(1)}`,
    );
    print(loadLine(load));
  },
};

function stageCases(fixture: VerifyFixture): MeasuredCase[] {
  const { tokens, settings, keyStore, issuer } = fixture;
  const segments = tokens.map((token) => token.split('.'));
  const texts = tokens.map((token) => {
    const { header, payload } = splitJson(token);
    return [header, payload] as const;
  });
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
    distinctTokens('base64', '  3 × base64url decode', tokens.length, (size, take) => {
      const batch = take(segments);
      return {
        size,
        op: sync((i) => {
          for (const segment of batch[i] as string[]) Buffer.from(segment, 'base64url');
        }),
      };
    }),
    distinctTokens('base64Canonical', '  3 × base64url decode + re-encode', tokens.length, (size, take) => {
      const batch = take(segments);
      return {
        size,
        op: sync((i) => {
          for (const segment of batch[i] as string[]) Buffer.from(segment, 'base64url').toString('base64url');
        }),
      };
    }),
    distinctTokens('jsonParse', '  JSON.parse header + payload', tokens.length, (size, take) => {
      const batch = take(texts);
      return {
        size,
        op: sync((i) => {
          for (const text of batch[i] as readonly string[]) JSON.parse(text);
        }),
      };
    }),
    distinctTokens('strictJson', '  parseJsonObject header + payload', tokens.length, (size, take) => {
      const batch = take(texts);
      return {
        size,
        op: sync((i) => {
          for (const text of batch[i] as readonly string[]) parseJsonObject(text);
        }),
      };
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
    distinctTokens('keyStore', 'key store: await metadata + await key', tokens.length, (size, take) => {
      const kids = take(decoded).map(({ header }) => checkJoseHeader(header).kid);
      return {
        size,
        op: async (i) => {
          await keyStore.metadata('2.0');
          await keyStore.key('2.0', kids[i] as string);
        },
      };
    }),
  ];
}

function splitJson(token: string): { header: string; payload: string } {
  const [header = '', payload = ''] = token.split('.');
  return { header: Buffer.from(header, 'base64url').toString('utf8'), payload: Buffer.from(payload, 'base64url').toString('utf8') };
}
