import { z } from 'zod';
import declared from '../../infra/permissions.json';

/**
 * The permissions this API defines, read from the same file the Bicep uses to
 * create the app registration's roles and scopes: one source of truth.
 */
const schema = z.object({
  appRoles: z.array(z.object({ value: z.string() }).loose()).min(1),
  scopes: z.array(z.object({ value: z.string() }).loose()).min(1),
});

const parsed = schema.parse(declared);

export const DECLARED_PERMISSIONS = Object.freeze({
  appRoles: Object.freeze(parsed.appRoles.map((role) => role.value)),
  scopes: Object.freeze(parsed.scopes.map((scope) => scope.value)),
});
