import { createHash } from 'node:crypto';
import { SecondSightAdmission } from '../../lib/verify/secondSightAdmission';
import type { TokenDigest } from '../../lib/verify/verifiedTokenCache';

const digestOf = (text: string) => createHash('sha256').update(text).digest('binary') as TokenDigest;

/** A digest-shaped string from chosen bytes: the first three pick the slot, the next four the fingerprint. */
const digestFrom = (bytes: readonly number[]) => Buffer.from([...bytes, ...new Array<number>(32 - bytes.length).fill(0x5a)]).toString('binary') as TokenDigest;

describe('second-sight admission', () => {
  it('admits a digest at its second sighting and every one after', () => {
    const admission = new SecondSightAdmission(10_000);
    const digest = digestOf('token-a');
    expect(admission.admits(digest)).toBe(false);
    expect(admission.admits(digest)).toBe(true);
    expect(admission.admits(digest)).toBe(true);
  });

  it('tells distinct digests apart', () => {
    const admission = new SecondSightAdmission(10_000);
    const digests = Array.from({ length: 200 }, (_, i) => digestOf(`token-${i}`));
    expect(digests.map((digest) => admission.admits(digest))).toEqual(digests.map(() => false));
  });

  it('forgets a digest whose slot another digest took since: admission comes one sighting later, never wrongly early', () => {
    const admission = new SecondSightAdmission(1024);
    const first = digestFrom([1, 0, 0, 10, 20, 30, 40]);
    const sameSlot = digestFrom([1, 0, 0, 11, 21, 31, 41]);
    expect(admission.admits(first)).toBe(false);
    expect(admission.admits(sameSlot)).toBe(false);
    expect(admission.admits(first)).toBe(false);
    expect(admission.admits(first)).toBe(true);
  });

  it('does not take an empty slot for a sighting, even for a digest whose fingerprint bytes are all zero', () => {
    const admission = new SecondSightAdmission(1024);
    const zeros = digestFrom([0, 0, 0, 0, 0, 0, 0]);
    expect(admission.admits(zeros)).toBe(false);
    expect(admission.admits(zeros)).toBe(true);
  });

  it('refuses a table of no slots at setup', () => {
    expect(() => new SecondSightAdmission(0)).toThrow(TypeError);
    expect(() => new SecondSightAdmission(Number.NaN)).toThrow(TypeError);
  });
});
