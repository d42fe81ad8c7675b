import { MAX_JSON_DEPTH, hasCaseVariantNames, parseJsonObject, parseStrictJson } from '../../src/jwt/strictJson';

describe('parseJsonObject', () => {
  it.each([
    ['colons inside strings', '{"iss":"https://login.microsoftonline.com/t/v2.0","a:b":"c:d"}', 2],
    ['escaped quotes and backslashes inside strings', String.raw`{"a":"x\"y","b":"\\","c":"\\\"","d\"e":1}`, 4],
    ['whitespace between every token', ' {\n "a" : 1 ,\t"b" : [ 1 , { "c" : 2 } ] } ', 3],
    ['objects inside arrays inside objects', '{"xms":[{"a":1},{"a":2},[{"b":{"c":null}}]],"roles":["R"]}', 6],
    ['an empty object', '{}', 0],
    ['a member named __proto__, kept as an own member', '{"__proto__":{"alg":"RS256"},"kid":"k"}', 3],
  ])('accepts %s', (_name, text, members) => {
    const parsed = parseJsonObject(text);
    expect(parsed).toEqual(JSON.parse(text));
    expect(countAll(parsed)).toBe(members);
  });

  it.each([
    ['a duplicate at the top level', '{"alg":"RS256","alg":"none"}'],
    ['a duplicate spelt with an escape', String.raw`{"alg":"RS256","\u0061lg":"none"}`],
    ['a duplicate in an object nested in an array', '{"a":[{"b":1,"b":2}]}'],
    ['a duplicate after a string holding an escaped quote and a colon', String.raw`{"x":"\":","y":1,"y":2}`],
    ['a duplicate __proto__', '{"__proto__":{},"__proto__":{}}'],
  ])('refuses %s', (_name, text) => {
    expect(() => parseJsonObject(text)).toThrow(new SyntaxError('duplicate member name'));
  });

  it.each([['an array', '[{}]'], ['a string', '"{}"'], ['null', 'null'], ['a number', '1']])('refuses %s at the top', (_name, text) => {
    expect(() => parseJsonObject(text)).toThrow(new SyntaxError('not a JSON object'));
  });

  it('accepts nesting exactly at the bound, brackets inside strings not counted', () => {
    const atBound = `{"a":${'['.repeat(MAX_JSON_DEPTH - 1)}"[[[{{{"${']'.repeat(MAX_JSON_DEPTH - 1)}}`;
    expect(parseJsonObject(atBound)).toEqual(JSON.parse(atBound));
  });

  it.each([
    ['arrays one level past the bound', `{"a":${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}`],
    ['objects one level past the bound', `${'{"a":'.repeat(MAX_JSON_DEPTH)}{}${'}'.repeat(MAX_JSON_DEPTH)}`],
    ['arrays 5,500 deep', `{"a":${'['.repeat(5500)}${']'.repeat(5500)}}`],
  ])('refuses %s', (_name, text) => {
    expect(() => parseJsonObject(text)).toThrow(new SyntaxError(`nested deeper than ${MAX_JSON_DEPTH}`));
  });

  it('takes a tighter bound when asked', () => {
    expect(() => parseJsonObject('{"a":[[1]]}', 2)).toThrow(new SyntaxError('nested deeper than 2'));
    expect(parseJsonObject('{"a":[1]}', 2)).toEqual({ a: [1] });
  });

  it('is not fooled by a member Object.prototype inherits', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 'yes';
    try {
      expect(parseJsonObject('{"a":1}')).toEqual({ a: 1 });
    } finally {
      delete proto.polluted;
    }
  });
});

describe('well-formed Unicode (RFC 7493 I-JSON): parseJsonObject and parseStrictJson', () => {
  const parsers = [
    ['parseJsonObject', parseJsonObject],
    ['parseStrictJson', parseStrictJson],
  ] as const;

  it.each(parsers)('%s accepts escaped surrogate pairs, escaped BMP characters and raw non-ASCII text', (_name, parse) => {
    for (const text of [String.raw`{"name":"\ud83d\ude80 \u00e9"}`, '{"name":"Mégan Bøwen 🚀 日本"}', String.raw`{"path":"C:\\users"}`]) {
      expect(parse(text)).toEqual(JSON.parse(text));
    }
  });

  it.each(parsers.flatMap(([name, parse]) =>
    [
      ['an unpaired high surrogate escape in a value', String.raw`{"aio":"\ud800x"}`],
      ['an unpaired low surrogate escape in a value', String.raw`{"aio":"\udc00"}`],
      ['a reversed pair (low then high)', String.raw`{"aio":"\ude80\ud83d"}`],
      ['a high surrogate escape at the end of a string', String.raw`{"aio":"x\uD800"}`],
      ['a lone surrogate escape in a member name', String.raw`{"\ud800":1}`],
      ['a lone surrogate escape nested in arrays and objects', String.raw`{"a":[{"b":["ok","\udbff"]}]}`],
      ['a lone surrogate in the text itself, not escaped', '{"aio":"\ud800"}'],
    ].map(([what, text]) => [name, what, parse, text] as const),
  ))('%s refuses %s', (_name, _what, parse, text) => {
    expect(() => parse(text as string)).toThrow(new SyntaxError('not well-formed Unicode (an unpaired surrogate)'));
  });

  it('parseStrictJson refuses a top-level string holding a lone surrogate escape', () => {
    expect(() => parseStrictJson(String.raw`"\ud800"`)).toThrow(SyntaxError);
  });
});

describe('hasCaseVariantNames', () => {
  it.each([
    ['TID beside tid', { tid: 't', TID: 'u' }],
    ['two upper-case spellings, no lower-case one', { Tid: 't', TID: 'u' }],
    ['Aud beside aud among other claims', { iss: 'i', aud: 'a', Aud: 'b', exp: 1 }],
    ['the long s beside s (upper case folds both to S)', { s: 1, ſ: 2 }],
    ['the Kelvin sign beside k (lower case folds both to k)', { k: 1, '\u212a': 2 }],
  ])('finds %s', (_name, object) => {
    expect(hasCaseVariantNames(object)).toBe(true);
  });

  it.each([
    ['an Entra-shaped claim set in lower case', { aud: 'a', iss: 'i', iat: 1, nbf: 1, exp: 2, aio: 'x', azp: 'c', azpacr: '0', oid: 'o', rh: 'r', roles: [], sub: 's', tid: 't', uti: 'u', ver: '2.0' }],
    ['distinct upper-case names', { kid: 'k', X5T: 'x', Alg: 'a' }],
    ['non-ASCII names that do not collide', { name: 'n', 'näme': 'm', 名前: 'j' }],
    ['case variants nested below the top level (not a claim name)', { xms_cc: { cp1: true, CP1: false } }],
    ['an empty object', {}],
  ])('finds none in %s', (_name, object) => {
    expect(hasCaseVariantNames(object)).toBe(false);
  });
});

function countAll(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + countAll(item), 0);
  if (value === null || typeof value !== 'object') return 0;
  return Object.entries(value).reduce((sum, [, item]) => sum + 1 + countAll(item), 0);
}
