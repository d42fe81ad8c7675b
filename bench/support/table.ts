/** Formats rows as a plain-text table: first column left-aligned, the rest right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('   '), ...rows.map(line)];
}

export function formatNumber(value: number, fractionDigits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits });
}

export function formatPercent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

/** PASS/FAIL against a goal; a report, not a gate. */
export function verdict(passed: boolean): string {
  return passed ? 'PASS' : 'FAIL';
}
