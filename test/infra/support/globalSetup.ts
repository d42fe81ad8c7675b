import { ensureCompiled } from '../../../dev/infra/ensureCompiled';

/**
 * Jest global setup: makes sure dist-infra/ holds the Bicep CLI's compile of the current
 * infra/ (reusing what `npm run infra:build` wrote for the same inputs), so the infra
 * policy tests read compiled ARM JSON. With no CLI to be had it says so in one line and
 * those tests fall back to tree-sitter; test/infra/compile.test.ts reports failures.
 */
export default async function globalSetup(): Promise<void> {
  const result = await ensureCompiled();
  if (result.status === 'skipped') process.stdout.write(`infra: Bicep compile skipped: ${result.reason ?? 'no reason given'}; the infra policy tests fall back to tree-sitter\n`);
}
