/** A route template as an OpenAPI path: `orders/{id:guid}` becomes `/orders/{id}`, with its parameter names. */
export function openApiPath(route: string): { readonly path: string; readonly parameters: readonly string[] } {
  const parameters: string[] = [];
  const path = route.replace(/\{([^{}]*)\}/g, (_whole, inner: string) => {
    // Functions route constraints (`{id:guid}`) are the host's business; the name is what a caller fills in.
    const name = inner.split(':')[0] ?? '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      // `{id?}` and `{*rest}` have no OpenAPI form: a path parameter is always required and one segment.
      throw new TypeError(`route "${route}": parameter {${inner}} has no OpenAPI form (use a required, single-segment parameter)`);
    }
    if (parameters.includes(name)) throw new TypeError(`route "${route}": parameter ${name} appears twice`);
    parameters.push(name);
    return `{${name}}`;
  });
  return { path: `/${path}`, parameters };
}
