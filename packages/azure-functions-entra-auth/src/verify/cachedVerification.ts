import type { VerifiedAccessToken } from './verifiedAccessToken';
import type { VerifiedTokenCache } from './verifiedTokenCache';

/** The steps' result as a promise, `after` applied to the verified token: at once when the steps ran synchronously. */
export function settled(result: VerifiedAccessToken | Promise<VerifiedAccessToken>, after?: (verified: VerifiedAccessToken) => VerifiedAccessToken): Promise<VerifiedAccessToken> {
  if (result instanceof Promise) return after ? result.then(after) : result;
  return Promise.resolve(after ? after(result) : result);
}

/**
 * One token through the verified-token cache, for every verifier (one authority or
 * several): a token seen for the first time is verified and only sighted (no digest);
 * one seen before is served from the cache while `keyStillPublished` says the key that
 * verified it is still published, and otherwise verified from scratch and stored.
 */
export function verifyThroughCache(
  live: VerifiedTokenCache,
  token: string,
  verifyFully: (token: string) => VerifiedAccessToken | Promise<VerifiedAccessToken>,
  keyStillPublished: (cached: VerifiedAccessToken) => boolean,
): Promise<VerifiedAccessToken> {
  if (!live.seenBefore(token)) {
    // Never verified here (or its sighting was overwritten): it cannot be cached, so no digest; stored if it comes again.
    return settled(verifyFully(token), (verified) => {
      live.sighted(token);
      return verified;
    });
  }
  const digest = live.digest(token);
  const cached = live.get(digest); // undefined once past exp + skew: then verifyFully refuses it as expired
  if (cached) {
    if (keyStillPublished(cached)) return Promise.resolve(cached);
    live.delete(digest); // its key was withdrawn: verify from scratch
  }
  return settled(verifyFully(token), (verified) => {
    live.set(digest, verified, token.length);
    return verified;
  });
}
