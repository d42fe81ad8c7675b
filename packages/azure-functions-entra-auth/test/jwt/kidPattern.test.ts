import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSigningKeySet } from '../../src/entra/signingKeys';
import { checkJoseHeader, KID_PATTERN } from '../../src/jwt/checkJoseHeader';

const FIXTURES = path.join(__dirname, '../fixtures/entra');
const { n, e } = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
const jwk = (kid: string) => ({ kty: 'RSA', use: 'sig', kid, n, e });

describe('one key ID pattern for token headers and Entra key sets', () => {
  it('accepts every kid Entra has published in the recorded key sets', () => {
    const kids = readdirSync(FIXTURES)
      .filter((file) => file.endsWith('.keys.json'))
      .flatMap((file) => (JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as { keys: { kid: string }[] }).keys.map((key) => key.kid));
    expect(kids.length).toBeGreaterThan(0);
    expect(kids.filter((kid) => !KID_PATTERN.test(kid))).toEqual([]);
  });

  it.each(['a b', 'k:1', '../../etc/passwd\n', 'x'.repeat(129)])('a kid the header check refuses (%s) is skipped in a key set too', async (kid) => {
    expect(() => checkJoseHeader({ alg: 'RS256', typ: 'JWT', kid })).toThrow('kid is not a plain key identifier');
    const keys = await parseSigningKeySet({ keys: [jwk(kid), jwk('usable')] });
    expect([...keys.keys()]).toEqual(['usable']);
  });
});
