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
  // JSON.parse collapses duplicates ("alg" and "\u0061lg" included) into one member, so
  // any duplicate, at any depth, leaves the parsed objects fewer members than the text names.
  if (countMembers(value) !== countMemberNames(text)) throw new SyntaxError('duplicate member name');
  return value as Record<string, unknown>;
}

/**
 * How many member names the objects in `text` hold. Runs on text JSON.parse has
 * accepted, so only structure needs tracking; strings are skipped with indexOf and
 * nothing is allocated per name: this runs on every first-seen token.
 */
function countMemberNames(text: string): number {
  // One entry per open container: true for an object, false for an array.
  const open: boolean[] = [];
  let names = 0;
  let expectName = false;
  let i = 0;
  for (;;) {
    const quote = text.indexOf('"', i);
    const structureEnd = quote < 0 ? text.length : quote;
    for (; i < structureEnd; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
        open.push(c === 0x7b);
        expectName = c === 0x7b;
      } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
        open.pop();
        expectName = false;
      } else if (c === 0x2c /* , */) {
        expectName = open[open.length - 1] === true;
      }
    }
    if (quote < 0) return names;
    let end = text.indexOf('"', quote + 1);
    while (isEscaped(text, end)) end = text.indexOf('"', end + 1);
    if (expectName) {
      names++;
      expectName = false;
    }
    i = end + 1;
  }
}

/** Own members of every object in a parsed JSON value; iterative, so any depth JSON.parse accepted is fine. */
function countMembers(value: object): number {
  let members = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || typeof node !== 'object') continue;
    const children = Array.isArray(node) ? (node as unknown[]) : Object.values(node);
    if (!Array.isArray(node)) members += children.length;
    for (const child of children) if (child !== null && typeof child === 'object') pending.push(child);
  }
  return members;
}

/** Whether the quote at `at` is escaped: preceded by an odd number of backslashes. */
function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  while (text.charCodeAt(at - 1 - backslashes) === 0x5c /* \ */) backslashes++;
  return backslashes % 2 === 1;
}
