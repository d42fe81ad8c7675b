import type { CaseResult } from './measure';
import { median, pairedRatio, quantile, spread } from './stats';
import { formatNumber, formatPercent, formatTable, verdict } from './table';

/** The per-case table: throughput and time per operation from the median round. */
export function resultTable(results: readonly CaseResult[]): string[] {
  return formatTable(
    ['case', 'ops/s', 'µs/op', 'min', 'max', '±', 'CPU µs/op', 'rounds', 'ops'],
    results.map(({ label, samples, cpuSamples, ops }) => {
      const us = median(samples);
      return [
        label,
        formatNumber(1e6 / us),
        formatNumber(us, 2),
        formatNumber(quantile(samples, 0), 2),
        formatNumber(quantile(samples, 1), 2),
        formatPercent(spread(samples)),
        formatNumber(median(cpuSamples), 2),
        String(samples.length),
        formatNumber(ops),
      ];
    }),
  );
}

export interface Goal {
  readonly kind: 'max' | 'min';
  readonly value: number;
}

export interface RatioLine {
  readonly name: string;
  readonly numerator: CaseResult;
  readonly denominator: CaseResult;
  readonly goal?: Goal;
}

/** Ratios of time per operation, paired round by round, in wall-clock and in CPU time; a goal adds PASS/FAIL. */
export function ratioTable(lines: readonly RatioLine[]): string[] {
  return formatTable(
    ['ratio of time per op', 'wall', 'goal', 'result', 'CPU', 'CPU result'],
    lines.map(({ name, numerator, denominator, goal }) => {
      const wall = pairedRatio(numerator.samples, denominator.samples);
      const cpu = pairedRatio(numerator.cpuSamples, denominator.cpuSamples);
      return [
        name,
        `${wall.toFixed(2)}×`,
        goal ? `${goal.kind === 'max' ? '≤' : '≥'} ${goal.value}×` : '',
        goal ? verdict(meets(wall, goal)) : '',
        `${cpu.toFixed(2)}×`,
        goal ? verdict(meets(cpu, goal)) : '',
      ];
    }),
  );
}

function meets(ratio: number, goal: Goal): boolean {
  return goal.kind === 'max' ? ratio <= goal.value : ratio >= goal.value;
}

export function byId(results: readonly CaseResult[], id: string): CaseResult {
  const found = results.find((result) => result.id === id);
  if (!found) throw new Error(`no result for case ${id}`);
  return found;
}

export function loadLine(load: { readonly otherCores: number; readonly ownCores: number }): string {
  return `machine load while measuring: this process ${load.ownCores.toFixed(2)} cores, other processes ${load.otherCores.toFixed(2)} cores${load.otherCores > 0.25 ? ' (busy machine: expect wider spreads, wall ratios least reliable)' : ''}`;
}
