/**
 * `entra-dev registrations --permissions <file> [--api <name>] [--app-id-uri <uri>]
 * [--token-version 1|2] [--out local.entra.json] [--force]`: writes the stand-in's
 * registrations for this app from the app roles and scopes it declares.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultRegistryPath, findAppRoot } from '../standin/devPaths';
import { Registry } from '../standin/registry';
import { declaredValues, generateRegistry, PermissionsFileError } from './generateRegistry';

const USAGE = `Usage: entra-dev registrations --permissions <file> [--api <name>] [--app-id-uri <uri>] [--token-version 1|2] [--out <file>] [--force]
  --permissions    the app's declared permissions: {"appRoles": [...], "scopes": [...]} or an Entra app manifest
  --api            the API's name for 'entra-dev token --api' (default: the app's package.json name)
  --app-id-uri     the API's App ID URI, the audience of its tokens (default api://<api>)
  --token-version  the API's requestedAccessTokenVersion (default 2)
  --out            where to write (default <app>/local.entra.json); an existing file is kept unless --force`;

class UsageError extends Error {}

function main(): void {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      permissions: { type: 'string' },
      api: { type: 'string' },
      'app-id-uri': { type: 'string' },
      'token-version': { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (values.permissions === undefined) throw new UsageError('--permissions <file> is required');
  const version = values['token-version'] ?? '2';
  if (version !== '1' && version !== '2') throw new UsageError(`--token-version must be 1 or 2, not ${JSON.stringify(version.slice(0, 20))}`);
  const appRoot = findAppRoot();
  const permissionsFile = path.resolve(values.permissions);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(permissionsFile, 'utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new PermissionsFileError(permissionsFile, error instanceof SyntaxError ? `not valid JSON (${error.message})` : 'cannot be read');
  }
  const apiName = values.api ?? packageName(appRoot);
  const data = generateRegistry(declaredValues(json, permissionsFile), {
    apiName,
    ...(values['app-id-uri'] !== undefined && { appIdUri: values['app-id-uri'] }),
    tokenVersion: version === '1' ? 1 : 2,
  });
  // The stand-in's own check, so a file this command writes always loads.
  Registry.parse(data, 'the generated registrations');
  const out = path.resolve(values.out ?? defaultRegistryPath(appRoot));
  if (existsSync(out) && values.force !== true) throw new UsageError(`${out} exists: keep it, or pass --force to replace it (its client IDs and secrets change)`);
  writeFileSync(out, `${JSON.stringify(data, null, 2)}\n`);
  const clients = data.clients.map((client) => client.name).join(', ');
  process.stdout.write(`wrote ${out}: API ${apiName} (${data.apis[0]?.appIdUri ?? ''}), clients ${clients}\n`);
  process.stdout.write(`next: entra-dev standin, then entra-dev token --client ${data.clients[0]?.name ?? 'norole'}\n`);
}

/** The app's package.json name as a registry name (lowercase, letters, digits, . _ -). */
function packageName(appRoot: string): string {
  try {
    const name = (JSON.parse(readFileSync(path.join(appRoot, 'package.json'), 'utf8')) as { name?: unknown }).name;
    const cleaned = typeof name === 'string' ? name.toLowerCase().replace(/^@[^/]+\//, '').replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 64) : '';
    return cleaned === '' ? 'api' : cleaned;
  } catch {
    return 'api';
  }
}

try {
  main();
} catch (error) {
  const known = error instanceof UsageError || error instanceof PermissionsFileError || (error instanceof Error && error.name === 'RegistryError');
  process.stderr.write(`entra-dev registrations: ${error instanceof Error ? error.message : String(error)}\n${error instanceof UsageError || !known ? USAGE + '\n' : ''}`);
  process.exitCode = 2;
}
