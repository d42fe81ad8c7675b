import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The Microsoft.IdentityModel judge: the .NET program in conformance/IdentityModelJudge. */

/** Where the project's own folder is, whether this runs from conformance/ (ts-jest) or dist-conformance/conformance/. */
export function judgeProjectDir(repoRoot: string): string {
  return join(repoRoot, 'conformance', 'IdentityModelJudge');
}

export function judgeDll(repoRoot: string): string {
  return join(judgeProjectDir(repoRoot), 'bin', 'Release', 'net10.0', 'IdentityModelJudge.dll');
}

/** No banner, no telemetry upload (there is no network to send it to). */
const DOTNET_ENV = { ...process.env, DOTNET_NOLOGO: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_SKIP_FIRST_TIME_EXPERIENCE: '1' };

/** Why the .NET judge cannot run here, or undefined when `dotnet` answers. */
export function dotnetUnavailable(): string | undefined {
  const probe = spawnSync('dotnet', ['--version'], { encoding: 'utf8', timeout: 30_000, env: DOTNET_ENV });
  if (probe.error) return `no dotnet on PATH (${(probe.error as NodeJS.ErrnoException).code ?? probe.error.message})`;
  if (probe.status !== 0) return `dotnet --version exited ${String(probe.status)}`;
  return undefined;
}

/** Restores and builds the judge (Release); throws with dotnet's output when that fails. */
export function buildJudge(repoRoot: string): void {
  const result = spawnSync('dotnet', ['build', '-c', 'Release', '--nologo', '-v', 'q', '-clp:ErrorsOnly'], {
    cwd: judgeProjectDir(repoRoot),
    env: DOTNET_ENV,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (result.status !== 0 || !existsSync(judgeDll(repoRoot))) {
    throw new Error(`dotnet build of conformance/IdentityModelJudge failed (exit ${String(result.status)}):\n${result.stdout}${result.stderr}`);
  }
}

/** Runs the judge once over `tokens`, returning its stdout lines (one per token, or the bench line). */
export function runJudge(repoRoot: string, configPath: string, tokens: readonly string[], extraArgs: readonly string[] = []): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('dotnet', [judgeDll(repoRoot), '--config', configPath, ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'], env: DOTNET_ENV });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      const lines = Buffer.concat(out).toString('utf8').split('\n').filter((line) => line !== '');
      if (code !== 0 && !(extraArgs.includes('--bench') && code === 1)) {
        reject(new Error(`IdentityModelJudge exited ${String(code)}: ${stderr}`));
        return;
      }
      if (stderr.trim() !== '') process.stderr.write(`IdentityModelJudge: ${stderr}`);
      resolve(lines);
    });
    child.stdin.end(tokens.map((token) => `${token}\n`).join(''));
  });
}
