import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBicepCli } from '../../dev/infra/bicepCli';
import { BICEP_CLI_VERSION } from '../../dev/infra/infraPaths';

// The fake CLIs are shell scripts; the restored-package path is the Linux one.
const itOnUnix = process.platform !== 'win32' ? it : it.skip;
const itOnLinux = process.platform === 'linux' ? it : it.skip;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bicep-lookup-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A stand-in CLI that answers --version as the real one does. */
function fakeCli(path: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `#!/bin/sh\necho "Bicep CLI version ${BICEP_CLI_VERSION} (fake)"\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('the Bicep CLI lookup npm run infra:build and the jest setup share', () => {
  itOnLinux('finds a CLI restored earlier into its cache (where infra:build restores it), with nothing on PATH', async () => {
    const rid = `linux-${process.arch}`;
    const restored = fakeCli(join(dir, 'cache', 'nuget', `azure.bicep.commandline.${rid}`, BICEP_CLI_VERSION, 'tools', 'bicep'));
    const lookup = await findBicepCli(join(dir, 'cache'), { PATH: '', HOME: dir });
    expect(lookup).toEqual({ found: true, cli: { path: restored, version: BICEP_CLI_VERSION, source: 'nuget-cache' } });
  });

  itOnUnix('takes the CLI BICEP_CLI names before any other', async () => {
    const named = fakeCli(join(dir, 'named', 'bicep'));
    const lookup = await findBicepCli(join(dir, 'empty-cache'), { PATH: '', HOME: dir, BICEP_CLI: named });
    expect(lookup).toEqual({ found: true, cli: { path: named, version: BICEP_CLI_VERSION, source: 'BICEP_CLI' } });
  });
});
