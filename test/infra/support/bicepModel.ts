import type { Node } from 'web-tree-sitter';

/**
 * Small read-only views over a tree-sitter-bicep syntax tree: declarations, resource
 * bodies, object properties and literal values. Enough for policy checks; it does not
 * evaluate expressions. Spread entries appear as properties named SPREAD_KEY (see
 * adaptToLegacyGrammar).
 */
export const SPREAD_KEY = '_s';

export interface ResourceDecl {
  /** Symbolic name, e.g. `signingKey`. */
  readonly symbol: string;
  /** Full type without version, e.g. `Microsoft.KeyVault/vaults/keys`. */
  readonly type: string;
  readonly apiVersion: string;
  readonly existing: boolean;
  readonly node: Node;
  /** The resource body; for loops and conditions, the object inside. */
  readonly body: Node;
}

export interface ParamDecl {
  readonly name: string;
  readonly type: string;
  readonly defaultValue: Node | undefined;
  /** Decorator names, e.g. ['secure', 'description']. */
  readonly decorators: readonly string[];
  readonly decoratorNodes: readonly Node[];
  readonly node: Node;
}

const named = (node: Node): Node[] => node.namedChildren.filter((child) => child.type !== 'comment' && child.type !== 'diagnostic_comment');

/** The value of a plain string literal; undefined for anything else, interpolated strings included. */
export function stringValue(node: Node | undefined): string | undefined {
  if (node?.type !== 'string') return undefined;
  if (node.namedChildren.some((child) => child.type === 'interpolation')) return undefined;
  const text = node.text;
  const body = text.startsWith("'''") ? text.slice(3, -3) : text.slice(1, -1);
  return body.replace(/\\(.)/g, (_, ch: string) => ({ n: '\n', r: '\r', t: '\t' })[ch] ?? ch);
}

export function propertyKey(property: Node): string | undefined {
  const key = named(property)[0];
  if (!key) return undefined;
  return key.type === 'string' ? stringValue(key) : key.text;
}

/** Entries of an object literal, in order (nested resource declarations excluded). */
export function properties(object: Node): { key: string; value: Node; node: Node }[] {
  if (object.type !== 'object') return [];
  const entries: { key: string; value: Node; node: Node }[] = [];
  for (const property of named(object)) {
    if (property.type !== 'object_property') continue;
    const parts = named(property);
    const key = propertyKey(property);
    const value = parts.at(-1);
    if (key !== undefined && value && parts.length >= 2) entries.push({ key, value, node: property });
  }
  return entries;
}

/** Follows a path of keys through nested object literals. */
export function prop(object: Node | undefined, ...path: string[]): Node | undefined {
  let current = object;
  for (const key of path) {
    if (!current) return undefined;
    current = properties(current).find((entry) => entry.key === key)?.value;
  }
  return current;
}

export function keysOf(object: Node | undefined): string[] {
  return object ? properties(object).map((entry) => entry.key) : [];
}

/** Elements of an array literal. */
export function elements(array: Node | undefined): Node[] {
  return array?.type === 'array' ? named(array).filter((child) => child.type !== 'decorators') : [];
}

export function isCall(node: Node | undefined, functionName: string): boolean {
  return node?.type === 'call_expression' && node.childForFieldName('function')?.text === functionName;
}

function bodyOf(declaration: Node): Node | undefined {
  const last = named(declaration).at(-1);
  if (!last) return undefined;
  if (last.type === 'object') return last;
  if (last.type === 'if_statement') return named(last).find((child) => child.type === 'object');
  if (last.type === 'for_statement') {
    const body = last.childForFieldName('body');
    if (body?.type === 'object') return body;
    if (body?.type === 'if_statement') return named(body).find((child) => child.type === 'object');
  }
  return undefined;
}

/** Every resource declaration, nested ones with their full type. */
export function resources(root: Node): ResourceDecl[] {
  const found: ResourceDecl[] = [];
  for (const node of root.descendantsOfType('resource_declaration')) {
    const [symbolNode, typeNode] = named(node);
    const typeWithVersion = stringValue(typeNode);
    const body = bodyOf(node);
    if (!symbolNode || typeWithVersion === undefined || !body) continue;
    const [ownType = '', apiVersion = ''] = typeWithVersion.split('@');
    const parents = ancestorResources(node);
    const type = parents.length === 0 ? ownType : [...parents.map((p) => p.type), ownType].join('/');
    const inherited = parents.at(-1)?.apiVersion ?? '';
    found.push({
      symbol: symbolNode.text,
      type,
      apiVersion: apiVersion || inherited,
      existing: node.children.some((child) => child.type === 'existing'),
      node,
      body,
    });
  }
  return found;
}

function ancestorResources(node: Node): { type: string; apiVersion: string }[] {
  const chain: { type: string; apiVersion: string }[] = [];
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (parent.type !== 'resource_declaration') continue;
    const [type = '', apiVersion = ''] = (stringValue(named(parent)[1]) ?? '').split('@');
    chain.unshift({ type, apiVersion });
  }
  return chain;
}

/** Decorators written directly above a declaration (comments in between are allowed). */
function decoratorsOf(declaration: Node): Node[] {
  let previous = declaration.previousNamedSibling;
  while (previous && (previous.type === 'comment' || previous.type === 'diagnostic_comment')) previous = previous.previousNamedSibling;
  return previous?.type === 'decorators' ? named(previous) : [];
}

function decoratorName(decorator: Node): string {
  return decorator.namedChildren.find((child) => child.type === 'call_expression')?.childForFieldName('function')?.text ?? '';
}

export function parameters(root: Node): ParamDecl[] {
  return named(root)
    .filter((node) => node.type === 'parameter_declaration')
    .map((node) => {
      const [nameNode, typeNode, defaultValue] = named(node);
      const decoratorNodes = decoratorsOf(node);
      return {
        name: nameNode?.text ?? '',
        type: typeNode?.text ?? '',
        defaultValue,
        decorators: decoratorNodes.map(decoratorName),
        decoratorNodes,
        node,
      };
    });
}

/** The argument of a decorator such as `@allowed([...])`, if present. */
export function decoratorArgument(param: ParamDecl, name: string): Node | undefined {
  const decorator = param.decoratorNodes.find((node) => decoratorName(node) === name);
  const call = decorator?.namedChildren.find((child) => child.type === 'call_expression');
  return call?.childForFieldName('arguments')?.namedChildren[0] ?? undefined;
}

export function outputs(root: Node): { name: string; type: string; value: Node | undefined }[] {
  return named(root)
    .filter((node) => node.type === 'output_declaration')
    .map((node) => {
      const [nameNode, typeNode, value] = named(node);
      return { name: nameNode?.text ?? '', type: typeNode?.text ?? '', value };
    });
}

export function variables(root: Node): Map<string, Node> {
  const vars = new Map<string, Node>();
  for (const node of named(root)) {
    if (node.type !== 'variable_declaration') continue;
    const [nameNode, value] = named(node);
    if (nameNode && value) vars.set(nameNode.text, value);
  }
  return vars;
}

export function modules(root: Node): { symbol: string; path: string; node: Node }[] {
  return named(root)
    .filter((node) => node.type === 'module_declaration')
    .map((node) => {
      const [symbolNode, pathNode] = named(node);
      return { symbol: symbolNode?.text ?? '', path: stringValue(pathNode) ?? '', node };
    });
}

/** Every `name: value` pair in the file, however deeply nested. */
export function allProperties(root: Node): { key: string; value: Node; node: Node }[] {
  return root.descendantsOfType('object').flatMap((object) => properties(object));
}

/** Every plain string literal in the file. */
export function allStrings(root: Node): string[] {
  return root.descendantsOfType('string').flatMap((node) => stringValue(node) ?? []);
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * The GUID an expression names, written inline or through one `var` holding it, as in
 * subscriptionResourceId('Microsoft.Authorization/roleDefinitions', someRoleId).
 */
export function referencedGuid(root: Node, expression: Node | undefined): string | undefined {
  if (!expression) return undefined;
  const inline = GUID.exec(expression.text);
  if (inline) return inline[0].toLowerCase();
  const vars = variables(root);
  for (const identifier of [expression, ...expression.descendantsOfType('identifier')]) {
    const held = stringValue(vars.get(identifier.text));
    const match = held === undefined ? null : GUID.exec(held);
    if (match) return match[0].toLowerCase();
  }
  return undefined;
}
