import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findOnPath } from 'azure-functions-entra-dev/toolkit';
import { BICEP_CLI_VERSION } from './infraPaths';

const run = promisify(execFile);

export interface BicepCli {
  readonly path: string;
  /** e.g. '0.49.2'. */
  readonly version: string;
  readonly source: 'BICEP_CLI' | 'PATH' | 'az' | 'nuget-cache' | 'nuget-restore';
}

export type CliLookup =
  | { readonly found: true; readonly cli: BicepCli }
  | { readonly found: false; readonly reason: string; readonly dotnet: boolean };

/** NuGet's runtime identifier for this machine: the CLI ships one package per platform. */
function runtimeIdentifier(): string | undefined {
  const os = ({ linux: 'linux', darwin: 'osx', win32: 'win' } as Partial<Record<NodeJS.Platform, string>>)[process.platform];
  const arch = ({ x64: 'x64', arm64: 'arm64' } as Partial<Record<string, string>>)[process.arch];
  return os && arch ? `${os}-${arch}` : undefined;
}

const executable = process.platform === 'win32' ? 'bicep.exe' : 'bicep';

/** Where `dotnet restore --packages <cacheDir>/nuget` leaves the CLI. */
function restoredCliPath(cacheDir: string, rid: string): string {
  return join(cacheDir, 'nuget', `azure.bicep.commandline.${rid}`, BICEP_CLI_VERSION, 'tools', executable);
}

async function versionOf(path: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(path, ['--version'], { timeout: 30_000 });
    return /Bicep CLI version (\d+\.\d+\.\d+)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Restores Azure.Bicep.CommandLine.<rid> with a throwaway project whose only item is a
 * PackageDownload, so nothing is built and nothing lands in the repository.
 */
async function restoreFromNuGet(dotnet: string, cacheDir: string, rid: string, env: NodeJS.ProcessEnv): Promise<string> {
  // The SDK's own target framework needs no extra reference packages from the feed.
  const { stdout: sdkVersion } = await run(dotnet, ['--version'], { timeout: 60_000, env });
  const framework = `net${sdkVersion.trim().split('.')[0] ?? '8'}.0`;
  const project = mkdtempSync(join(tmpdir(), 'bicep-restore-'));
  try {
    writeFileSync(
      join(project, 'restore.csproj'),
      [
        '<Project Sdk="Microsoft.NET.Sdk">',
        `  <PropertyGroup><TargetFramework>${framework}</TargetFramework></PropertyGroup>`,
        `  <ItemGroup><PackageDownload Include="Azure.Bicep.CommandLine.${rid}" Version="[${BICEP_CLI_VERSION}]" /></ItemGroup>`,
        '</Project>',
        '',
      ].join('\n'),
    );
    await run(dotnet, ['restore', join(project, 'restore.csproj'), '--packages', join(cacheDir, 'nuget'), '--nologo', '--verbosity', 'quiet'], {
      timeout: 300_000,
      env: { ...env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1', DOTNET_SKIP_FIRST_TIME_EXPERIENCE: '1' },
    });
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
  const path = restoredCliPath(cacheDir, rid);
  if (!existsSync(path)) throw new Error(`dotnet restore finished but ${path} is missing`);
  // NuGet does not keep the executable bit.
  if (process.platform !== 'win32') chmodSync(path, 0o755);
  return path;
}

/**
 * Finds a Bicep CLI: the one BICEP_CLI names, `bicep` on PATH, the one `az bicep install`
 * manages, one restored earlier into the cache, or a fresh NuGet restore when `dotnet`
 * is on PATH. `npm run infra:build` and the jest setup both ask here, so they agree.
 */
export async function findBicepCli(cacheDir: string, env: NodeJS.ProcessEnv = process.env): Promise<CliLookup> {
  const candidates: { path: string | undefined; source: BicepCli['source'] }[] = [
    { path: env.BICEP_CLI || undefined, source: 'BICEP_CLI' },
    { path: findOnPath('bicep', env), source: 'PATH' },
    { path: findOnPath('az', env) && join(env.AZURE_CONFIG_DIR ?? join(env.HOME ?? '', '.azure'), 'bin', executable), source: 'az' },
  ];
  const rid = runtimeIdentifier();
  if (rid) candidates.push({ path: restoredCliPath(cacheDir, rid), source: 'nuget-cache' });
  for (const { path, source } of candidates) {
    if (!path || !existsSync(path)) continue;
    const version = await versionOf(path);
    if (version) return { found: true, cli: { path, version, source } };
  }
  const dotnet = findOnPath('dotnet', env);
  if (!dotnet) return { found: false, dotnet: false, reason: `no Bicep CLI (none on PATH, from az bicep or in ${cacheDir}) and no dotnet to restore one` };
  if (!rid) return { found: false, dotnet: true, reason: `no Bicep CLI package for ${process.platform}-${process.arch}` };
  try {
    const path = await restoreFromNuGet(dotnet, cacheDir, rid, env);
    const version = await versionOf(path);
    if (!version) return { found: false, dotnet: true, reason: `the Bicep CLI restored at ${path} does not run` };
    return { found: true, cli: { path, version, source: 'nuget-restore' } };
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { found: false, dotnet: true, reason: `dotnet could not restore Azure.Bicep.CommandLine.${rid} ${BICEP_CLI_VERSION}: ${detail ?? ''}` };
  }
}
