import { z } from 'zod';
import declared from '../../infra/permissions.json';

/**
 * The permissions this API defines, read from the same file the Bicep uses to
 * create the app registration's roles and scopes: one source of truth.
 */
const permission = z.object({ value: z.string(), isEnabled: z.boolean().default(true) }).loose();
const schema = z.object({ appRoles: z.array(permission).min(1), scopes: z.array(permission).min(1) });

const parsed = schema.parse(declared);

/** A disabled permission (kept in the file so Entra can retire it) counts as undeclared. */
const enabledValues = (list: readonly z.infer<typeof permission>[]) => Object.freeze(list.filter((p) => p.isEnabled).map((p) => p.value));

export const DECLARED_PERMISSIONS = Object.freeze({
  appRoles: enabledValues(parsed.appRoles),
  scopes: enabledValues(parsed.scopes),
});
