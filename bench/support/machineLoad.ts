import { cpus } from 'node:os';

/**
 * How busy the rest of the machine was while a benchmark ran: all CPU time spent
 * on the machine minus this process's own. On a shared 2-core box, other work
 * (a test run, a compiler) stretches the async cases most, since they wait for
 * threadpool wake-ups; this puts a number on it next to the results.
 */
export function startLoadMeter(): () => { readonly otherCores: number; readonly ownCores: number } {
  const machineBefore = machineBusyMs();
  const ownBefore = process.cpuUsage();
  const started = performance.now();
  return () => {
    const elapsedMs = performance.now() - started;
    const own = process.cpuUsage(ownBefore);
    const ownMs = (own.user + own.system) / 1000;
    const machineMs = machineBusyMs() - machineBefore;
    return { otherCores: Math.max(0, machineMs - ownMs) / elapsedMs, ownCores: ownMs / elapsedMs };
  };
}

function machineBusyMs(): number {
  return cpus().reduce((sum, { times }) => sum + times.user + times.nice + times.sys + times.irq, 0);
}
