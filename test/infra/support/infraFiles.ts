import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Node } from 'web-tree-sitter';
import { parseBicep, type SyntaxProblem } from './bicepSyntax';
import { resources, type ResourceDecl } from './bicepModel';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const INFRA_DIR = join(REPO_ROOT, 'infra');

export interface BicepFile {
  /** Path relative to the repository root, with forward slashes. */
  readonly path: string;
  readonly absolutePath: string;
  readonly source: string;
  readonly root: Node;
  readonly problems: readonly SyntaxProblem[];
  readonly resources: readonly ResourceDecl[];
}

export interface Infra {
  readonly files: readonly BicepFile[];
  file(path: string): BicepFile;
  /** Declared (not `existing`) resources of one type, across all files. */
  declared(type: string): (ResourceDecl & { file: BicepFile })[];
  /** The one declared resource of a type; throws when there is none or more than one. */
  single(type: string): ResourceDecl & { file: BicepFile };
}

export function filesUnder(dir: string, extension: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

export function readRepoFile(path: string): string {
  return readFileSync(join(REPO_ROOT, path), 'utf8');
}

let loaded: Promise<Infra> | undefined;

/** Parses every .bicep file under infra/ once per test file. */
export function loadInfra(): Promise<Infra> {
  loaded ??= (async () => {
    const files: BicepFile[] = [];
    for (const absolutePath of filesUnder(INFRA_DIR, '.bicep')) {
      const source = readFileSync(absolutePath, 'utf8');
      const parsed = await parseBicep(source);
      files.push({
        path: relative(REPO_ROOT, absolutePath).split('\\').join('/'),
        absolutePath,
        source,
        root: parsed.root,
        problems: parsed.problems,
        resources: resources(parsed.root),
      });
    }
    const declared = (type: string) =>
      files.flatMap((file) => file.resources.filter((r) => r.type === type && !r.existing).map((r) => ({ ...r, file })));
    return {
      files,
      file(path) {
        const found = files.find((f) => f.path === path);
        if (!found) throw new Error(`no Bicep file ${path}`);
        return found;
      },
      declared,
      single(type) {
        const found = declared(type);
        if (found.length !== 1 || !found[0]) throw new Error(`expected one declared ${type}, found ${found.length}`);
        return found[0];
      },
    };
  })();
  return loaded;
}
