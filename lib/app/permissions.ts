import * as z from 'zod/mini';
import type { DeclaredPermissions } from 'azure-functions-entra-auth';
import { outOfRange, typeMismatch } from 'azure-functions-entra-auth/settings';
import declared from '../../infra/permissions.json';

/**
 * The permissions this API defines, read from the same file the Bicep uses to
 * create the app registration's roles and scopes: one source of truth. A malformed
 * file fails the start in zod's English words, named here (zod/mini loads no locale).
 */
const permission = z.looseObject(
  { value: z.string({ error: typeMismatch }), isEnabled: z._default(z.boolean({ error: typeMismatch }), true) },
  { error: typeMismatch },
);
const permissions = () => z.array(permission, { error: typeMismatch }).check(z.minLength(1, { error: outOfRange }));
const schema = z.object({ appRoles: permissions(), scopes: permissions() }, { error: typeMismatch });

/** Parses infra/permissions.json (bundled with the app); called once by the composition root. */
export function loadDeclaredPermissions(file: unknown = declared): DeclaredPermissions {
  const result = schema.safeParse(file);
  if (!result.success) {
    // Thrown under the name classic zod's parse gave it, so the failed start reads as before.
    result.error.name = 'ZodError';
    throw result.error;
  }
  return Object.freeze({ appRoles: enabledValues(result.data.appRoles), scopes: enabledValues(result.data.scopes) });
}

/** A disabled permission (kept in the file so Entra can retire it) counts as undeclared. */
const enabledValues = (list: readonly z.infer<typeof permission>[]) => Object.freeze(list.filter((p) => p.isEnabled).map((p) => p.value));
