/**
 * JSON.parse keeps the last of duplicate member names; other parsers keep the first.
 * A header such as {"alg":"RS256","alg":"none"} means different things to different
 * libraries; RFC 7515 §5.2 and RFC 7519 §4 let a verifier reject such input, and we do.
 */
export function parseJsonObject(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SyntaxError('not a JSON object');
  }
  const duplicate = findDuplicateMember(text);
  if (duplicate !== undefined) throw new SyntaxError('duplicate member name');
  return value as Record<string, unknown>;
}

/**
 * Scans text that JSON.parse has already accepted, so only structure needs tracking.
 * Strings are skipped with indexOf rather than character by character: they are most
 * of a token's payload, and this scan runs on every first-seen token.
 */
function findDuplicateMember(text: string): string | undefined {
  // One entry per open container: the member names seen so far, or null for arrays.
  const open: (Set<string> | null)[] = [];
  let expectName = false;
  let i = 0;
  for (;;) {
    const quote = text.indexOf('"', i);
    const structureEnd = quote < 0 ? text.length : quote;
    for (; i < structureEnd; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x7b /* { */) {
        open.push(new Set());
        expectName = true;
      } else if (c === 0x5b /* [ */) {
        open.push(null);
        expectName = false;
      } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
        open.pop();
        expectName = false;
      } else if (c === 0x2c /* , */) {
        expectName = open[open.length - 1] != null;
      }
    }
    if (quote < 0) return undefined;
    let end = text.indexOf('"', quote + 1);
    while (isEscaped(text, end)) end = text.indexOf('"', end + 1);
    const names = open[open.length - 1];
    if (expectName && names) {
      // Decode escapes, when there are any: "alg" and "\u0061lg" are the same name.
      const raw = text.slice(quote + 1, end);
      const name = raw.includes('\\') ? (JSON.parse(text.slice(quote, end + 1)) as string) : raw;
      if (names.has(name)) return name;
      names.add(name);
      expectName = false;
    }
    i = end + 1;
  }
}

/** Whether the quote at `at` is escaped: preceded by an odd number of backslashes. */
function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  while (text.charCodeAt(at - 1 - backslashes) === 0x5c /* \ */) backslashes++;
  return backslashes % 2 === 1;
}
