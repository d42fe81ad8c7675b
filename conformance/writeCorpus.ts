import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Corpus } from './corpus';

/** Writes what the .NET judge reads: the documents and one config file per configuration. */
export function writeCorpus(corpus: Pick<Corpus, 'documents' | 'configurations' | 'cases'>, dir: string): Map<string, string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'documents.json'), JSON.stringify(Object.fromEntries(corpus.documents), null, 1));
  writeFileSync(join(dir, 'tokens.txt'), corpus.cases.map((c) => `${c.token}\n`).join(''));
  writeFileSync(join(dir, 'cases.json'), JSON.stringify(corpus.cases.map(({ id, tags }) => ({ id, tags })), null, 1));
  const paths = new Map<string, string>();
  for (const configuration of corpus.configurations) {
    const path = join(dir, `config-${configuration.name}.json`);
    writeFileSync(path, JSON.stringify({ ...configuration.judge, documents: 'documents.json', env: configuration.env }, null, 1));
    paths.set(configuration.name, path);
  }
  return paths;
}
