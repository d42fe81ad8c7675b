/**
 * A small parser for ARM template expressions (`[fn(arg, ...).prop[index]]`), the form
 * the Bicep CLI compiles every non-literal value into. Enough for policy checks: which
 * function is called with which arguments, which keys an object gets. It does not
 * evaluate anything.
 */
export type ArmExpr =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly ArmExpr[] }
  | { readonly kind: 'member'; readonly object: ArmExpr; readonly property: string }
  | { readonly kind: 'index'; readonly object: ArmExpr; readonly index: ArmExpr };

/** True for a string ARM reads as an expression: `[...]`, but not the `[[` escape. */
export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('[') && value.endsWith(']') && !value.startsWith('[[');
}

export function parseExpression(text: string): ArmExpr {
  const source = isExpression(text) ? text.slice(1, -1) : text;
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`ARM expression: ${what} at ${String(at)} in ${text}`);
  };
  const skip = () => {
    while (source.charAt(at) === ' ') at += 1;
  };
  const identifier = (): string => {
    const match = /^[A-Za-z_$][\w$#]*/.exec(source.slice(at));
    if (!match) return fail('identifier expected');
    at += match[0].length;
    return match[0];
  };
  const primary = (): ArmExpr => {
    skip();
    const c = source.charAt(at);
    if (c === "'") {
      let value = '';
      at += 1;
      for (;;) {
        if (at >= source.length) fail('unterminated string');
        if (source.charAt(at) === "'") {
          if (source.charAt(at + 1) === "'") {
            value += "'";
            at += 2;
            continue;
          }
          at += 1;
          return { kind: 'string', value };
        }
        value += source.charAt(at);
        at += 1;
      }
    }
    const number = /^-?\d+/.exec(source.slice(at));
    if (number) {
      at += number[0].length;
      return { kind: 'number', value: Number(number[0]) };
    }
    const fn = identifier();
    skip();
    if (source.charAt(at) !== '(') return fail(`'(' expected after ${fn}`);
    at += 1;
    const args: ArmExpr[] = [];
    skip();
    if (source.charAt(at) === ')') at += 1;
    else {
      for (;;) {
        args.push(expression());
        skip();
        const next = source.charAt(at);
        at += 1;
        if (next === ')') break;
        if (next !== ',') fail("',' or ')' expected");
      }
    }
    return { kind: 'call', fn, args };
  };
  const expression = (): ArmExpr => {
    let node = primary();
    for (;;) {
      skip();
      const c = source.charAt(at);
      if (c === '.') {
        at += 1;
        node = { kind: 'member', object: node, property: identifier() };
      } else if (c === '[') {
        at += 1;
        const index = expression();
        skip();
        if (source.charAt(at) !== ']') fail("']' expected");
        at += 1;
        node = { kind: 'index', object: node, index };
      } else return node;
    }
  };
  const result = expression();
  skip();
  if (at !== source.length) fail('unexpected text');
  return result;
}

/** Canonical text of an expression (no brackets), for comparisons in tests. */
export function exprText(node: ArmExpr): string {
  switch (node.kind) {
    case 'string':
      return `'${node.value.replace(/'/g, "''")}'`;
    case 'number':
      return String(node.value);
    case 'call':
      return `${node.fn}(${node.args.map(exprText).join(', ')})`;
    case 'member':
      return `${exprText(node.object)}.${node.property}`;
    case 'index':
      return `${exprText(node.object)}[${exprText(node.index)}]`;
  }
}

/** Every call in an expression tree, outermost first. */
export function calls(node: ArmExpr): Extract<ArmExpr, { kind: 'call' }>[] {
  switch (node.kind) {
    case 'call':
      return [node, ...node.args.flatMap(calls)];
    case 'member':
      return calls(node.object);
    case 'index':
      return [...calls(node.object), ...calls(node.index)];
    default:
      return [];
  }
}

/** The string literal, if the node is one. */
export function literal(node: ArmExpr | undefined): string | undefined {
  return node?.kind === 'string' ? node.value : undefined;
}

/**
 * The keys an object-valued expression can produce: the keys of every createObject in
 * it, so `shallowMerge(createArray(createObject('A', x), if(c, createObject(), createObject('B', y))))`
 * yields A and B (the optional ones included).
 */
export function objectKeys(node: ArmExpr): string[] {
  return calls(node)
    .filter((call) => call.fn === 'createObject')
    .flatMap((call) => call.args.filter((_, i) => i % 2 === 0).map((key) => literal(key) ?? `<${exprText(key)}>`));
}

/** The value expression createObject gives a key (the first one found). */
export function objectValue(node: ArmExpr, key: string): ArmExpr | undefined {
  for (const call of calls(node).filter((c) => c.fn === 'createObject')) {
    for (let i = 0; i + 1 < call.args.length; i += 2) if (literal(call.args[i]) === key) return call.args[i + 1];
  }
  return undefined;
}
