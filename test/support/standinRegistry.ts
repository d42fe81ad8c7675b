import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from '../../packages/azure-functions-entra-dev/src/standin/registry';

/** The stand-in's registrations (local.entra.json), read and validated as the stand-in reads them. */
export function standinRegistry(): Registry {
  const file = path.join(__dirname, '../../local.entra.json');
  return Registry.parse(JSON.parse(readFileSync(file, 'utf8')), file);
}
