import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';
import type { ClientOutcome, ClientProgramInput, ClientScenario } from './realClientsProgram';

const REPO = join(__dirname, '..', '..', '..');
const CHILD_TIMEOUT_MS = 15_000;

/**
 * Runs realClientsProgram.ts in ONE child Node process started with
 * NODE_EXTRA_CA_CERTS=<caPath> (Node reads it only at start), performing every
 * scenario there. The program is transpiled on the fly (it imports only packages),
 * so no build step is needed. The child gets a minimal environment: no proxies and
 * no AZURE_* variables that could redirect the libraries.
 */
export async function runRealClients(options: {
  readonly workDir: string;
  readonly caPath: string;
  readonly url: string;
  readonly tenantId: string;
  readonly scenarios: readonly ClientScenario[];
}): Promise<Map<string, ClientOutcome>> {
  const source = await readFile(join(__dirname, 'realClientsProgram.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const program = join(options.workDir, 'realClientsProgram.js');
  const outputFile = join(options.workDir, 'realClientsOutcomes.json');
  await writeFile(program, outputText);
  const input: ClientProgramInput = { url: options.url, tenantId: options.tenantId, scenarios: options.scenarios, outputFile };

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    NODE_EXTRA_CA_CERTS: options.caPath,
    NODE_PATH: join(REPO, 'node_modules'),
    NO_PROXY: '127.0.0.1,localhost',
    REAL_CLIENTS_PROGRAM: '1',
  };
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [program, JSON.stringify(input)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ code: exitCode, stderr: errors });
    });
  });
  if (code !== 0) throw new Error(`the real-clients child exited with ${String(code)}: ${stderr}`);
  const outcomes = JSON.parse(await readFile(outputFile, 'utf8')) as ClientOutcome[];
  return new Map(outcomes.map((outcome) => [outcome.name, outcome]));
}
