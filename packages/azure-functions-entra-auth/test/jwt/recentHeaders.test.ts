import { decodeCompactJwt } from '../../src/jwt/decodeCompactJwt';
import { RecentHeaders } from '../../src/jwt/recentHeaders';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (header: unknown, payload: unknown = { sub: 'x' }) => `${b64(header)}.${b64(payload)}.c2ln`;

describe('RecentHeaders', () => {
  it('keeps a flat header frozen and answers the same segment with it', () => {
    const recent = new RecentHeaders(2);
    const kept = recent.remember('seg', { alg: 'RS256', kid: 'k1' });
    expect(Object.isFrozen(kept)).toBe(true);
    expect(recent.get('seg')).toBe(kept);
    expect(recent.get('other')).toBeUndefined();
  });

  it('does not keep a header with a member that is not a string', () => {
    const recent = new RecentHeaders(2);
    const header = { alg: 'RS256', jwk: { kty: 'RSA' } };
    expect(recent.remember('seg', header)).toBe(header);
    expect(Object.isFrozen(header)).toBe(false);
    expect(recent.get('seg')).toBeUndefined();
  });

  it('holds at most its capacity, dropping the oldest first', () => {
    const recent = new RecentHeaders(2);
    recent.remember('a', { kid: 'a' });
    recent.remember('b', { kid: 'b' });
    recent.remember('c', { kid: 'c' });
    expect(recent.size).toBe(2);
    expect(recent.get('a')).toBeUndefined();
    expect(recent.get('c')).toEqual({ kid: 'c' });
  });

  it('refuses a capacity below 1 at setup', () => {
    expect(() => new RecentHeaders(0)).toThrow(TypeError);
  });
});

describe('decodeCompactJwt with a repeated header', () => {
  it('gives every token with the same header segment the same frozen header, and each its own payload', () => {
    const header = { typ: 'JWT', alg: 'RS256', kid: 'repeat-kid' };
    const first = decodeCompactJwt(token(header, { n: 1 }));
    const second = decodeCompactJwt(token(header, { n: 2 }));
    expect(second.header).toBe(first.header);
    expect(Object.isFrozen(first.header)).toBe(true);
    expect([first.payload, second.payload]).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('still refuses a header that differs from a remembered one by a duplicate member', () => {
    const header = { alg: 'RS256', kid: 'dup-kid' };
    decodeCompactJwt(token(header));
    const duplicated = `${Buffer.from('{"alg":"RS256","kid":"dup-kid","alg":"none"}').toString('base64url')}.${b64({ sub: 'x' })}.c2ln`;
    let thrown: unknown;
    try {
      decodeCompactJwt(duplicated);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'token_malformed', check: 'header.json' });
  });

  it('does not share a header holding nested members between tokens', () => {
    const header = { alg: 'RS256', kid: 'nested', x: { y: 1 } };
    const first = decodeCompactJwt(token(header));
    const second = decodeCompactJwt(token(header));
    expect(second.header).not.toBe(first.header);
    expect(second.header).toEqual(first.header);
  });
});
