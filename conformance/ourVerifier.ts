/**
 * The one place the conformance check reaches our verifier: the auth package's public
 * entry, exactly as an app gets it (`azure-functions-entra-auth`).
 */
import { ANY_VALID_TOKEN, authorize, createAccessTokenVerifier, loadAuthSettings, principalFrom } from 'azure-functions-entra-auth';

export type OurVerdict =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly code: string; readonly check: string; readonly message: string };

export interface OurJudge {
  judge(token: string): Promise<OurVerdict>;
  /** Verifies and throws on refusal, for the bench (resolves to nothing). */
  verify(token: string): Promise<unknown>;
}

export interface OurJudgeOptions {
  /** Every URL the verifier may fetch, with its JSON document; anything else answers 404. */
  readonly documents: ReadonlyMap<string, unknown>;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** Verified tokens remembered; 0 (the default here) judges every token from scratch. */
  readonly cacheSize?: number;
}

/** Our verifier, configured from AUTH_* settings, reading Entra's documents from memory. */
export function createOurJudge(env: Readonly<Record<string, string>>, options: OurJudgeOptions): OurJudge {
  const settings = loadAuthSettings(env);
  const verifier = createAccessTokenVerifier(settings, {
    now: options.now,
    cacheSize: options.cacheSize ?? 0,
    fetch: (input) => {
      const document = options.documents.get(input);
      const response =
        document === undefined
          ? new Response('{"error":"not_found"}', { status: 404, headers: { 'content-type': 'application/json' } })
          : new Response(JSON.stringify(document), { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } });
      return Promise.resolve(response);
    },
  });
  return {
    verify: (token) => verifier.verify(token),
    async judge(token) {
      try {
        const verified = await verifier.verify(token);
        // What every route answers before its own rule: a token with neither roles nor scp is refused
        // (403, IDW10201 in Microsoft.Identity.Web) unless AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS.
        const decision = authorize(principalFrom(verified), ANY_VALID_TOKEN, {}, { allowTokensWithoutPermissions: settings.allowTokensWithoutPermissions });
        if (!decision.allowed) {
          const { code, check, message } = decision.refusal;
          return { accepted: false, code, check, message };
        }
        return { accepted: true };
      } catch (error) {
        const { code, check, message } = error as { code?: unknown; check?: unknown; message?: unknown };
        return {
          accepted: false,
          code: typeof code === 'string' ? code : 'unexpected_error',
          check: typeof check === 'string' ? check : 'none',
          message: typeof message === 'string' ? message : String(error),
        };
      }
    },
  };
}
