import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { root } from './ordersStack';

interface Answer {
  $ref?: string;
  content?: Record<string, { schema: unknown }>;
}

export const DOCUMENT = JSON.parse(readFileSync(path.join(root, 'openapi/openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, Answer> }>>;
  components: { responses: Record<string, Answer> };
} & Record<string, unknown>;

/**
 * Checks an answer against the committed document: its status must be one the
 * operation declares, and its body must match that answer's JSON Schema (ajv, 2020-12).
 * Returns the problems, none when it matches.
 */
export function answerProblems(method: string, template: string, status: number, contentType: string | null, body: unknown): string[] {
  const operation = DOCUMENT.paths[template]?.[method.toLowerCase()];
  if (!operation) return [`no operation ${method} ${template} in the document`];
  const declared = operation.responses[String(status)];
  if (!declared) return [`${method} ${template} answered ${status}, which the document does not declare`];
  // A shared answer (components/responses) is checked where it is written.
  const shared = declared.$ref?.replace('#/components/responses/', '');
  const answer = shared === undefined ? declared : DOCUMENT.components.responses[shared];
  if (!answer) return [`${method} ${template} ${status}: no ${declared.$ref ?? ''}`];
  const at = shared === undefined ? `#/paths/${template.replace(/~/g, '~0').replace(/\//g, '~1')}/${method.toLowerCase()}/responses/${status}` : `#/components/responses/${shared}`;
  if (!answer.content) return body === undefined ? [] : [`${method} ${template} ${status} has a body the document does not declare`];
  const type = (contentType ?? '').split(';')[0]?.trim() ?? '';
  if (!answer.content[type]) return [`${method} ${template} ${status} answered ${type}, the document declares ${Object.keys(answer.content).join(', ')}`];
  const pointer = `${at}/content/${type.replace(/\//g, '~1')}/schema`;
  const validate = ajv.getSchema(`openapi.json${pointer}`);
  if (!validate) return [`no schema at ${pointer}`];
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${method} ${template} ${status}: ${e.instancePath} ${e.message ?? ''}`);
}

// The document is one schema resource; OpenAPI's own keywords are annotations here, formats are not asserted.
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema({ ...DOCUMENT, $id: 'openapi.json' });
