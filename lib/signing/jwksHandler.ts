import type { HttpHandler } from '@azure/functions';
import { answerHandlerRefusal, Refusal } from 'azure-functions-entra-auth';
import { APP_FAILURES } from '../failures/appFailures';
import { SigningUnavailableError } from './signingErrors';
import type { SigningKeySource } from './signingKey';

export interface JwksHandlerOptions {
  /** How long verifiers and proxies may cache the key set. */
  readonly maxAgeSeconds: number;
}

/**
 * The published key set (RFC 7517), anonymous: every version verifiers should accept,
 * `kid` = key version. Served from the source's cache, stale through vault failures;
 * 503 with Retry-After only when no key set was ever loaded.
 */
export function createJwksHandler(source: SigningKeySource, options: JwksHandlerOptions): HttpHandler {
  return async (request, context) => {
    try {
      const keys = await source.publishedKeys();
      return {
        status: 200,
        headers: { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'cache-control': `public, max-age=${options.maxAgeSeconds}` },
        jsonBody: { keys: keys.map((key) => key.jwk) },
      };
    } catch (error) {
      if (!(error instanceof SigningUnavailableError)) throw error;
      context.warn(`Key set unavailable (${error.reason}): ${error.message}`);
      const refusal = new Refusal(APP_FAILURES.signing_keys_unavailable, 'signing.keys', `key set unavailable (${error.reason})`, { retryAfterSeconds: error.retryAfterSeconds, cause: error });
      return answerHandlerRefusal(refusal, request, context);
    }
  };
}
