export interface BicepDiagnostic {
  /** Relative to the repository root, e.g. infra/modules/functionApp.bicep. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly level: 'Error' | 'Warning' | 'Info';
  /** The CLI's own code: BCP036, or a linter rule name such as no-unused-params. */
  readonly code: string;
  readonly message: string;
}

// The CLI's default format: `<path>(<line>,<column>) : <Level> <code>: <message>`.
const DIAGNOSTIC = /^(.+)\((\d+),(\d+)\) : (Error|Warning|Info) ([^\s:]+): (.*)$/;

export interface ParsedOutput {
  readonly diagnostics: BicepDiagnostic[];
  /** Lines that are not diagnostics; the build fails on any, so a format change cannot hide a problem. */
  readonly unrecognised: string[];
}

/**
 * Parses what the CLI prints on stderr. `workDir` is the temporary copy's root, mapped
 * back to `infra/` so diagnostics name the committed files.
 */
export function parseDiagnostics(stderr: string, workDir: string): ParsedOutput {
  const diagnostics: BicepDiagnostic[] = [];
  const unrecognised: string[] = [];
  for (const line of stderr.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const match = DIAGNOSTIC.exec(line);
    if (!match) {
      unrecognised.push(line);
      continue;
    }
    const [, path = '', lineNo = '0', column = '0', level = 'Error', code = '', message = ''] = match;
    const file = path.startsWith(workDir) ? `infra${path.slice(workDir.length)}`.split('\\').join('/') : path;
    diagnostics.push({ file, line: Number(lineNo), column: Number(column), level: level as BicepDiagnostic['level'], code, message });
  }
  return { diagnostics, unrecognised };
}

/** One entry per place and code: build, build-params and lint report the same finding more than once. */
export function uniqueDiagnostics(all: readonly BicepDiagnostic[]): BicepDiagnostic[] {
  const seen = new Map<string, BicepDiagnostic>();
  for (const d of all) seen.set(`${d.file}:${d.line}:${d.column}:${d.code}`, d);
  return [...seen.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

export function formatDiagnostic(d: BicepDiagnostic): string {
  return `${d.file}(${d.line},${d.column}) : ${d.level} ${d.code}: ${d.message}`;
}
