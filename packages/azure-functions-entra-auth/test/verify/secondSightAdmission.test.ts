import { SecondSightAdmission } from '../../src/verify/secondSightAdmission';

/** A token-shaped string ending in the given 9 characters: 4 pick the slot, the next 4 are the fingerprint, the last is ignored. */
const endingIn = (tail: string) => `eyJhbGciOiJSUzI1NiJ9.eyJ4IjoxfQ.${'Q'.repeat(333)}${tail}`;

describe('second-sight admission', () => {
  it('has seen a token from the moment it is recorded', () => {
    const admission = new SecondSightAdmission(10_000);
    const token = endingIn('abcdEFGHw');
    expect(admission.seenBefore(token)).toBe(false);
    admission.record(token);
    expect(admission.seenBefore(token)).toBe(true);
    expect(admission.seenBefore(token)).toBe(true);
  });

  it('tells tokens with different endings apart', () => {
    const admission = new SecondSightAdmission(10_000);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const tokens = Array.from({ length: 200 }, (_, i) => endingIn(`${alphabet[i % 64]}${alphabet[(i * 7) % 64]}xy${alphabet[(i * 13) % 64]}${alphabet[i % 61]}zzA`));
    for (const token of tokens) admission.record(token);
    const fresh = tokens.map((token) => `${token.slice(0, -5)}9999A`);
    expect(fresh.filter((token) => admission.seenBefore(token))).toEqual([]);
  });

  it('forgets a token whose slot another token took since: it is verified in full once more, never taken as seen wrongly', () => {
    const admission = new SecondSightAdmission(1024);
    const first = endingIn('SLOTabcdA');
    const sameSlot = endingIn('SLOTwxyzA');
    admission.record(first);
    admission.record(sameSlot);
    expect(admission.seenBefore(first)).toBe(false);
    expect(admission.seenBefore(sameSlot)).toBe(true);
  });

  it('reads nothing into an empty slot, and nothing from a token too short to have a signature', () => {
    const admission = new SecondSightAdmission(1024);
    expect(admission.seenBefore(endingIn('\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000'))).toBe(false);
    admission.record('a.b.c');
    expect(admission.seenBefore('a.b.c')).toBe(false);
  });

  it('refuses a table of no slots at setup', () => {
    expect(() => new SecondSightAdmission(0)).toThrow(TypeError);
    expect(() => new SecondSightAdmission(Number.NaN)).toThrow(TypeError);
  });
});
