import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inputsHash, readResult, type CompileResult } from '../../../dev/infra/compileInfra';
import { infraPaths, OUTPUT_FILES } from '../../../dev/infra/infraPaths';
import { calls, exprText, isExpression, literal, parseExpression, type ArmExpr } from './armExpression';

/**
 * Read-only views over the ARM JSON that `npm run infra:build` (or the jest global
 * setup, through the same code) compiled from infra/. Modules are nested deployments;
 * their resources are flattened here, each with the template it lives in, so values
 * such as `variables('x')` and `parameters('y')` can be followed.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface ArmParameter {
  readonly type: string;
  readonly defaultValue?: Json;
  readonly allowedValues?: Json[];
  readonly minValue?: number;
  readonly maxValue?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
}

export interface ArmTemplate {
  readonly $schema: string;
  readonly languageVersion?: string;
  readonly parameters?: Record<string, ArmParameter>;
  readonly variables?: JsonObject;
  readonly resources: JsonObject[] | Record<string, JsonObject>;
  readonly outputs?: Record<string, { type: string; value: Json }>;
  readonly imports?: Record<string, { provider: string; version: string }>;
}

export interface ArmResource {
  /** Full type without version, e.g. Microsoft.KeyVault/vaults/keys. */
  readonly type: string;
  /** A dated ARM version, or v1.0 for Graph. */
  readonly apiVersion: string;
  /** Symbolic name (templates in languageVersion 2.0 keep them). */
  readonly symbol: string | undefined;
  readonly existing: boolean;
  /** The raw compiled resource. */
  readonly json: JsonObject;
  /** Module names from the entry point down, e.g. ['signingKeyVault']; [] for main.bicep itself. */
  readonly modulePath: readonly string[];
  readonly template: ArmTemplate;
  /** Parameters the parent passed to this resource's template. */
  readonly passedParameters: JsonObject | undefined;
}

export interface ArmModule {
  readonly name: string;
  readonly modulePath: readonly string[];
  readonly deployment: JsonObject;
  readonly template: ArmTemplate;
}

function asObject(value: Json | undefined): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

function resourceList(template: ArmTemplate): { symbol: string | undefined; json: JsonObject }[] {
  return Array.isArray(template.resources)
    ? template.resources.map((json) => ({ symbol: undefined, json }))
    : Object.entries(template.resources).map(([symbol, json]) => ({ symbol, json }));
}

export class CompiledInfra {
  readonly resources: readonly ArmResource[];
  readonly modules: readonly ArmModule[];

  constructor(
    readonly main: ArmTemplate,
    readonly parameters: { parameters: Record<string, { value: Json }> },
    readonly result: CompileResult,
  ) {
    const resources: ArmResource[] = [];
    const modules: ArmModule[] = [];
    const walk = (template: ArmTemplate, modulePath: string[], passedParameters: JsonObject | undefined) => {
      for (const { symbol, json } of resourceList(template)) {
        const [ownType = '', versionInType] = (typeof json.type === 'string' ? json.type : '').split('@');
        resources.push({
          type: ownType,
          apiVersion: typeof json.apiVersion === 'string' ? json.apiVersion : (versionInType ?? ''),
          symbol,
          existing: json.existing === true,
          json,
          modulePath,
          template,
          passedParameters,
        });
        const nested = asObject(asObject(json.properties)?.template) as ArmTemplate | undefined;
        if (ownType === 'Microsoft.Resources/deployments' && nested) {
          const name = typeof json.name === 'string' ? json.name : '';
          modules.push({ name, modulePath: [...modulePath, name], deployment: json, template: nested });
          walk(nested, [...modulePath, name], asObject(asObject(json.properties)?.parameters));
        }
      }
    };
    walk(main, [], undefined);
    this.resources = resources;
    this.modules = modules;
  }

  /** Declared (not `existing`) resources of one type, in every module. */
  declared(type: string): ArmResource[] {
    return this.resources.filter((r) => r.type === type && !r.existing);
  }

  /** The one declared resource of a type; throws when there is none or more than one. */
  single(type: string): ArmResource {
    const found = this.declared(type);
    if (found.length !== 1 || !found[0]) throw new Error(`expected one declared ${type}, found ${String(found.length)}`);
    return found[0];
  }

  module(name: string): ArmModule {
    const found = this.modules.find((m) => m.name === name);
    if (!found) throw new Error(`no module deployment ${name}`);
    return found;
  }

  /** Every template: main.bicep's and each module's. */
  templates(): { modulePath: readonly string[]; template: ArmTemplate }[] {
    return [{ modulePath: [], template: this.main }, ...this.modules.map((m) => ({ modulePath: m.modulePath, template: m.template }))];
  }
}

/** A value at a path of keys below a resource (or any JSON object). */
export function at(value: Json | undefined, ...path: string[]): Json | undefined {
  let current = value;
  for (const key of path) {
    const object = asObject(current);
    if (!object) return undefined;
    current = object[key];
  }
  return current;
}

/** The last segment of a resource name: 'appsettings' for format('{0}/{1}', parameters('name'), 'appsettings'). */
export function nameLeaf(resource: ArmResource): string | undefined {
  const name = resource.json.name;
  if (typeof name !== 'string') return undefined;
  if (!isExpression(name)) return (name as string).split('/').at(-1);
  const parsed = parseExpression(name);
  return parsed.kind === 'call' && parsed.fn === 'format' ? literal(parsed.args.at(-1)) : undefined;
}

/** An expression's canonical text, or undefined for a literal. */
export function expr(value: Json | undefined): string | undefined {
  return isExpression(value) ? exprText(parseExpression(value)) : undefined;
}

/**
 * Follows `variables('x')` in the resource's own template and `parameters('y')` one
 * module up (to what the parent passed), returning the literal found, if any.
 */
export function resolve(resource: ArmResource, value: Json | undefined): Json | undefined {
  if (!isExpression(value)) return value;
  const parsed = parseExpression(value);
  if (parsed.kind !== 'call' || parsed.args.length !== 1) return value;
  const name = literal(parsed.args[0]);
  if (name === undefined) return value;
  if (parsed.fn === 'variables') return resolve(resource, resource.template.variables?.[name]);
  if (parsed.fn === 'parameters' && resource.passedParameters) {
    const passed = asObject(resource.passedParameters[name])?.value;
    return passed === undefined ? value : passed;
  }
  return value;
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * The role definition GUID of a role assignment: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', <guid>)
 * with the GUID inline or held by a variable; or the `<custom:...>` marker for a role
 * defined in the same deployment (resourceId of a roleDefinitions resource).
 */
export function roleDefinitionOf(assignment: ArmResource): string | undefined {
  const value = at(assignment.json, 'properties', 'roleDefinitionId');
  if (typeof value !== 'string') return undefined;
  if (!isExpression(value)) return GUID.exec(value)?.[0].toLowerCase();
  const parsed = parseExpression(value);
  if (parsed.kind !== 'call' || literal(parsed.args[0]) !== 'Microsoft.Authorization/roleDefinitions') return undefined;
  if (parsed.fn !== 'subscriptionResourceId') return `<custom:${exprText(parsed)}>`;
  const idArg = parsed.args[1];
  const held = idArg?.kind === 'string' ? idArg.value : resolve(assignment, idArg ? `[${exprText(idArg)}]` : undefined);
  if (typeof held === 'string' && !isExpression(held)) return GUID.exec(held)?.[0].toLowerCase();
  // A role defined alongside: the id names a roleDefinitions resource of the same template by its name.
  const custom = idArg && customRoleNamed(assignment.template, `[${exprText(idArg)}]`);
  return typeof custom?.name === 'string' ? `custom:${custom.name}` : undefined;
}

/** The custom role definition of a template whose `name` is exactly this expression. */
export function customRoleNamed(template: ArmTemplate, name: string): JsonObject | undefined {
  const resources = Array.isArray(template.resources) ? template.resources : Object.values(template.resources);
  return resources.find((r) => r.type === 'Microsoft.Authorization/roleDefinitions' && r.name === name);
}

/** The resource type a resourceId(...)-style expression names, e.g. Microsoft.KeyVault/vaults/keys. */
export function resourceIdType(value: Json | undefined): string | undefined {
  if (!isExpression(value)) return undefined;
  const call = calls(parseExpression(value)).find((c) => /^(resourceId|extensionResourceId|subscriptionResourceId)$/.test(c.fn));
  if (!call) return undefined;
  return literal(call.args.find((arg) => (literal(arg) ?? '').includes('/') && /^[A-Za-z]+\.[A-Za-z.]+\//.test(literal(arg) ?? '')));
}

export type CompiledState = { readonly compiled: CompiledInfra; readonly reason?: undefined } | { readonly compiled?: undefined; readonly reason: string };

let state: CompiledState | undefined;

/**
 * The compiled ARM JSON for exactly the current infra/, or why there is none (no CLI,
 * a failed compile, or outputs from other inputs). Synchronous so test files can choose
 * their suites while jest collects them; the jest global setup has compiled by then.
 */
export function compiledInfra(): CompiledState {
  state ??= (() => {
    const paths = infraPaths();
    const result = readResult(paths.outDir);
    if (!result) return { reason: 'no compile result (run npm run infra:build)' };
    if (result.inputsHash !== inputsHash(paths.infraDir, paths.graphTypesDir)) return { reason: 'the compiled ARM JSON is from other infra/ sources' };
    if (result.status !== 'ok') return { reason: `the compile ${result.status}: ${result.reason ?? result.problems[0] ?? 'see test/infra/compile.test.ts'}` };
    const read = (file: string): unknown => JSON.parse(readFileSync(join(paths.outDir, file), 'utf8'));
    return { compiled: new CompiledInfra(read(OUTPUT_FILES.template) as ArmTemplate, read(OUTPUT_FILES.parameters) as CompiledInfra['parameters'], result) };
  })();
  return state;
}

/** `describe` when the compiled ARM JSON is there, `describe.skip` otherwise: the compiled suites. */
export const describeCompiled: jest.Describe = compiledInfra().compiled ? describe : describe.skip;
/** The tree-sitter fallback suites: they run only where no compile is available. */
export const describeSourceFallback: jest.Describe = compiledInfra().compiled ? describe.skip : describe;

export type { ArmExpr };
