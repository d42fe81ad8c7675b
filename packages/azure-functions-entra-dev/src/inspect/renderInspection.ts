import { exitCodeOf, type Inspection } from './inspection';
import type { RouteAccess } from './routeAccess';

/** The inspection as one JSON document (for scripts). */
export function inspectionJson(inspection: Inspection): string {
  return `${JSON.stringify({ ...inspection, exitCode: exitCodeOf(inspection) }, null, 2)}\n`;
}

const VERDICT_LINE = {
  accepted: 'ACCEPTED',
  refused: 'REFUSED',
  'passed-offline': 'PASSED THE OFFLINE CHECKS (signature, key and issuer skipped: not proof the token is genuine)',
} as const;

/** The inspection for a person: the verdict, one block per check, the token's IDs, claims, and routes. */
export function inspectionText(inspection: Inspection): string {
  const lines: string[] = [];
  lines.push(`${VERDICT_LINE[inspection.verdict]}: ${inspection.answer}`);
  lines.push(`settings: ${inspection.settings}`);
  for (const note of inspection.notes) lines.push(`note: ${note}`);
  lines.push('', 'checks, in the order the verifier runs them:');
  const width = Math.max(...inspection.checks.map((row) => row.name.length));
  inspection.checks.forEach((row, index) => {
    const mark = row.status === 'pass' ? 'ok ' : row.status === 'fail' ? 'XX ' : '-- ';
    const failed = row.status === 'fail' && row.check ? `  ${row.check} (${row.code ?? 'refused'})` : '';
    lines.push(`${String(index + 1).padStart(2)}. ${mark}${row.name.padEnd(width)}  ${row.status.toUpperCase()}${failed}${row.note ? `: ${row.note}` : ''}`);
    if (row.status === 'not reached') return;
    if (row.expected !== undefined) lines.push(`        expected  ${row.expected}`);
    if (row.found !== undefined) lines.push(`        found     ${row.found}`);
    if (row.message !== undefined) lines.push(`        verifier  ${row.message}`);
    if (row.fix !== undefined) lines.push(`        fix       ${row.fix}`);
  });
  if (inspection.token) {
    lines.push('', 'token (unverified IDs):');
    lines.push(`  ${Object.entries(inspection.token).map(([name, value]) => `${name}=${value}`).join('  ')}`);
  }
  if (inspection.claims) {
    lines.push('', 'claims:');
    for (const [name, value] of Object.entries(inspection.claims)) lines.push(`  ${name}: ${JSON.stringify(value)}`);
  }
  if (inspection.routes) {
    lines.push('', inspection.verdict === 'accepted' ? 'routes (what withAuth answers for this token):' : 'routes (if the skipped checks pass):');
    const all = [...inspection.routes.routes, ...inspection.routes.tenantRules];
    const pathWidth = Math.max(...all.map((route) => route.method.length + route.path.length + 1));
    for (const route of inspection.routes.routes) lines.push(routeLine(route, pathWidth));
    if (inspection.routes.tenantRules.length > 0) {
      lines.push('', 'tenant-route rule (a tenant other than the token\'s):');
      for (const route of inspection.routes.tenantRules) lines.push(routeLine(route, pathWidth));
    }
  }
  return `${lines.join('\n')}\n`;
}

function routeLine(route: RouteAccess, width: number): string {
  return `  ${`${route.method} ${route.path}`.padEnd(width)}  ${route.allowed ? 'allowed' : 'REFUSED'} (${route.answer}): ${route.reason}`;
}

/**
 * Last line of defence for the promise that the token never appears in the output:
 * any segment of it (an attacker can copy one into a claim) is replaced. The report
 * is built not to contain one; this makes it impossible.
 */
export function scrubToken(text: string, token: string | undefined): string {
  if (token === undefined) return text;
  const pieces = [token, ...token.split('.')].filter((piece) => piece.length >= 8).sort((a, b) => b.length - a.length);
  let scrubbed = text;
  for (const piece of pieces) scrubbed = scrubbed.split(piece).join('[token segment]');
  return scrubbed;
}
