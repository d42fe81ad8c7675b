import { existsSync } from 'node:fs';
import { findBicepCli } from '../../../dev/infra/bicepCli';
import { ensureCompiled } from '../../../dev/infra/ensureCompiled';
import { infraPaths } from '../../../dev/infra/infraPaths';

/**
 * Jest global setup: makes sure dist-infra/ holds the Bicep CLI's compile of the current
 * infra/ (reusing what `npm run infra:build` wrote for the same inputs), so the infra
 * policy tests read compiled ARM JSON. With no CLI to be had it says so in one line and
 * those tests fall back to tree-sitter; test/infra/compile.test.ts reports failures.
 *
 * The CLI it used goes to the test files as BICEP_CLI (workers inherit this process's
 * environment), so the tests that run the CLI themselves find the one `npm run
 * infra:build` finds, through the same lookup (dev/infra/bicepCli.ts).
 */
export default async function globalSetup(): Promise<void> {
  const paths = infraPaths();
  const result = await ensureCompiled({ paths });
  if (result.status === 'skipped') {
    process.stdout.write(`infra: Bicep compile skipped: ${result.reason ?? 'no reason given'}; the infra policy tests fall back to tree-sitter\n`);
    return;
  }
  // A reused compile names the CLI that made it; look again only if that one has gone since.
  let cli = result.cli && existsSync(result.cli.path) ? result.cli : undefined;
  if (!cli) {
    const lookup = await findBicepCli(paths.cacheDir);
    cli = lookup.found ? lookup.cli : undefined;
  }
  if (cli) process.env.BICEP_CLI = cli.path;
}
