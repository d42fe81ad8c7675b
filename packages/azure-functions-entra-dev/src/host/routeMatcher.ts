/**
 * Matches request paths against Functions route templates: literal segments
 * (case-insensitive, as the host does), `{name}` parameters, `{name?}` optional
 * trailing parameters and `{name:constraint}` (the constraint is not enforced here).
 */
export type RouteMatch = Readonly<Record<string, string>>;

export function compileRoute(template: string): (path: string) => RouteMatch | undefined {
  // As the Functions host does (Azure/azure-functions-host#1781): its own routes live under admin, so an app's may not start with it.
  if (template.replace(/^\/+/, '').toLowerCase().startsWith('admin')) {
    throw new Error(`dev host: The specified route conflicts with one or more built in routes. (${template}: routes may not start with "admin")`);
  }
  const segments = template.split('/').filter(Boolean);
  for (const segment of segments) {
    if (segment.includes('*')) throw new Error(`dev host: catch-all route segments are not supported (${template})`);
  }
  return (path) => {
    const parts = path.split('/').filter(Boolean);
    const params: Record<string, string> = {};
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i] as string;
      const part = parts[i];
      const param = /^\{([A-Za-z_]\w*)(?::[^}?]+)?(\?)?\}$/.exec(segment);
      if (param) {
        if (part === undefined) {
          if (param[2] === '?') continue;
          return undefined;
        }
        params[param[1] as string] = decodeURIComponent(part);
      } else if (part?.toLowerCase() !== segment.toLowerCase()) {
        return undefined;
      }
    }
    return parts.length <= segments.length ? params : undefined;
  };
}
