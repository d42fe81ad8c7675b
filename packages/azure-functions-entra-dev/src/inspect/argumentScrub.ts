import { scrubToken } from './renderInspection';

/**
 * Whether a command-line value looks like a token rather than a file name or an
 * option: a compact JWS or JWE (3 to 5 dot-separated base64url segments, the first
 * at least 8 characters, 40 or more in all), or one long base64url run. A path has
 * a slash, and a settings file name is short, so neither looks like one.
 */
export function looksLikeToken(value: string): boolean {
  if (/^[A-Za-z0-9_-]{8,}(\.[A-Za-z0-9_-]*){2,4}$/.test(value)) return value.length >= 40;
  return /^[A-Za-z0-9_-]{100,}$/.test(value);
}

/**
 * The command-line values that look like tokens, wherever they were put: a value of
 * its own, after `--option=`, or written as an option (`--eyJ...`, which parseArgs
 * quotes in its "unknown option" message).
 */
export function tokenLikeArguments(argv: readonly string[]): string[] {
  const candidates = argv.flatMap((arg) => [arg, arg.replace(/^-+/, ''), arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : '']);
  return [...new Set(candidates.filter(looksLikeToken))];
}

/** `text` with every token given (and each of its segments) replaced, as stdout is scrubbed. */
export function scrubTokens(text: string, tokens: readonly string[]): string {
  return tokens.reduce((scrubbed, token) => scrubToken(scrubbed, token), text);
}

/**
 * A stream that scrubs what is written to it: standard error gets the same last line
 * of defence as standard output. `tokens` is read at each write, so a token learnt
 * later (from standard input) is scrubbed from then on.
 */
export function scrubbingWriter(target: { write(text: string): unknown }, tokens: readonly string[]): { write(text: string): unknown } {
  return { write: (text: string) => target.write(scrubTokens(text, tokens)) };
}
