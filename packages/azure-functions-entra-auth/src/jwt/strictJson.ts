/**
 * JSON.parse keeps the last of duplicate member names; other parsers keep the first.
 * A header such as {"alg":"RS256","alg":"none"} means different things to different
 * libraries; RFC 7515 §5.2 and RFC 7519 §4 let a verifier reject such input, and we do.
 */
export function parseJsonObject(text: string, maxDepth: number = MAX_JSON_DEPTH): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SyntaxError('not a JSON object');
  }
  // JSON.parse collapses duplicates ("alg" and "\u0061lg" included) into one member, so
  // any duplicate, at any depth, leaves the parsed objects fewer members than the text names.
  if (countMembers(value) !== countMemberNames(text, maxDepth)) throw new SyntaxError('duplicate member name');
  checkWellFormed(text, value);
  return value as Record<string, unknown>;
}

/**
 * Any JSON value (a request body, say), with the same checks as parseJsonObject: no
 * duplicate member names at any depth, nesting at most `maxDepth`, well-formed Unicode.
 */
export function parseStrictJson(text: string, maxDepth: number = MAX_JSON_DEPTH): unknown {
  const value: unknown = JSON.parse(text);
  if (value !== null && typeof value === 'object' && countMembers(value) !== countMemberNames(text, maxDepth)) {
    throw new SyntaxError('duplicate member name');
  }
  checkWellFormed(text, value);
  return value;
}

/**
 * Whether two of the object's own member names differ only in case ("tid" and "TID"):
 * JSON.parse keeps both, but consumers that look claims up case-insensitively (.NET's
 * OrdinalIgnoreCase dictionaries; Microsoft.IdentityModel refuses such a token) read
 * either one. Only names holding an A-Z or non-ASCII character can collide with
 * another, so a token of lower-case ASCII names (an Entra token) costs one pass over
 * its names' characters and no allocation beyond the key list.
 */
export function hasCaseVariantNames(object: Readonly<Record<string, unknown>>): boolean {
  const names = Object.keys(object);
  let foldable = false;
  for (let index = 0; index < names.length && !foldable; index++) foldable = mayFold(names[index] as string);
  if (!foldable) return false;
  // Upper then lower case folds the pairs either mapping alone misses (the long s, the Kelvin sign).
  const folded = new Set<string>();
  for (let index = 0; index < names.length; index++) folded.add((names[index] as string).toUpperCase().toLowerCase());
  return folded.size < names.length;
}

function mayFold(name: string): boolean {
  for (let index = 0; index < name.length; index++) {
    const code = name.charCodeAt(index);
    if ((code >= 0x41 && code <= 0x5a) || code >= 0x80) return true; // A-Z, or not ASCII
  }
  return false;
}

/** Node 20 has String.prototype.isWellFormed; the ES2023 lib the build targets does not declare it. */
type WellFormable = string & { isWellFormed(): boolean };

/**
 * Strings must be well-formed Unicode (RFC 7493 I-JSON §2.1: no unpaired surrogate):
 * a lone surrogate has no UTF-8 encoding, so every consumer that re-encodes, logs or
 * compares the string reads something else (Microsoft.IdentityModel refuses the token).
 * Text decoded from UTF-8 holds no raw one, so there only a `\u` escape can make one:
 * the parsed strings are walked only when the text has such an escape. isWellFormed on the text
 * answers at once for a one-byte (Latin-1) string, which is what an Entra token decodes
 * to; other text (a name in CJK, an emoji) is scanned at about 0.5 ns a character.
 */
function checkWellFormed(text: string, value: unknown): void {
  if (!(text as WellFormable).isWellFormed() || (text.includes('\\u') && !stringsWellFormed(value))) {
    throw new SyntaxError('not well-formed Unicode (an unpaired surrogate)');
  }
}

/** Whether every string in a parsed JSON value, member names included, is well-formed; iterative, like countMembers. */
function stringsWellFormed(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node === 'string') {
      if (!(node as WellFormable).isWellFormed()) return false;
    } else if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index++) pending.push(node[index]);
    } else if (node !== null && typeof node === 'object') {
      const keys = Object.keys(node);
      for (let index = 0; index < keys.length; index++) {
        const key = keys[index] as string;
        if (!(key as WellFormable).isWellFormed()) return false;
        pending.push((node as Record<string, unknown>)[key]);
      }
    }
  }
  return true;
}

/**
 * How deep objects and arrays may nest (the top-level object is depth 1). Entra's
 * claims nest two or three deep; without a bound, a signed payload of 5,500 nested
 * arrays passes and then overflows the stack wherever it is serialised (a 500).
 */
export const MAX_JSON_DEPTH = 32;

/**
 * How many member names the objects in `text` hold; throws once objects and arrays
 * nest deeper than `maxDepth`. Runs on text JSON.parse has accepted, where every ':'
 * outside a string separates a member name from its value, so counting those is
 * counting names, and every bracket outside a string opens or closes a level.
 * Strings are skipped with indexOf and nothing is allocated: this runs on every
 * first-seen token.
 */
function countMemberNames(text: string, maxDepth: number): number {
  let names = 0;
  let depth = 0;
  let i = 0;
  for (;;) {
    const quote = text.indexOf('"', i);
    const structureEnd = quote < 0 ? text.length : quote;
    for (; i < structureEnd; i++) {
      const code = text.charCodeAt(i);
      if (code === 0x3a /* : */) names++;
      else if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
        if (++depth > maxDepth) throw new SyntaxError(`nested deeper than ${maxDepth}`);
      } else if (code === 0x7d /* } */ || code === 0x5d /* ] */) depth--;
    }
    if (quote < 0) return names;
    let end = text.indexOf('"', quote + 1);
    while (isEscaped(text, end)) end = text.indexOf('"', end + 1);
    i = end + 1;
  }
}

/** Own members of every object in a parsed JSON value; iterative, so any depth JSON.parse accepted is fine. */
function countMembers(value: object): number {
  let members = 0;
  const pending: object[] = [value];
  while (pending.length > 0) {
    const node = pending.pop() as Record<string, unknown> | unknown[];
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index++) {
        const child = node[index];
        if (child !== null && typeof child === 'object') pending.push(child);
      }
      continue;
    }
    // for...in would also walk inherited enumerable members; own keys only.
    const keys = Object.keys(node);
    members += keys.length;
    for (let index = 0; index < keys.length; index++) {
      const child = node[keys[index] as string];
      if (child !== null && typeof child === 'object') pending.push(child);
    }
  }
  return members;
}

/** Whether the quote at `at` is escaped: preceded by an odd number of backslashes. */
function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  while (text.charCodeAt(at - 1 - backslashes) === 0x5c /* \ */) backslashes++;
  return backslashes % 2 === 1;
}
