import { execFile } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A process listening on a TCP port, and the dev tool that started it when one did. */
export interface PortHolder {
  readonly pid: number;
  /** What it is, in the words of this repository's tooling ("the dev host", "npm start", ...). */
  readonly role: string;
  readonly command: string;
  /** The furthest ancestor that is one of the dev tools (npm start, npm run demo, entra-dev host). */
  readonly runBy?: { readonly pid: number; readonly role: string } | undefined;
}

interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly command: string;
}

const ROLES: readonly (readonly [RegExp, string])[] = [
  [/dev[/\\]start[/\\]main\.js/, 'npm start'],
  [/dev[/\\]demo[/\\]main\.js/, 'npm run demo'],
  [/[/\\]host[/\\]serve\.js|entra-dev\S*\s+host\b/, 'entra-dev host'],
  [/[/\\]host[/\\]worker\.js/, 'the dev host'],
  [/[/\\]standin[/\\]main\.js|entra-dev\S*\s+standin\b/, 'the Entra stand-in'],
  [/azurite/i, 'Azurite'],
  [/(^|[/\\])func(\.exe)?(\s|$)|Azure\.Functions\.Cli|func\.dll/, 'Azure Functions Core Tools (func start)'],
  [/jest/, 'a jest run'],
];
const RUNNERS = new Set(['npm start', 'npm run demo', 'entra-dev host']);

function roleOf(command: string): string | undefined {
  return ROLES.find(([pattern]) => pattern.test(command))?.[1];
}

/**
 * Who listens on `port`, as far as this user can see: on Linux from /proc (no tool
 * needed), elsewhere from `lsof`; the process table from `ps`. Undefined when the
 * holder cannot be seen (another user's process, a container, no lsof).
 */
export async function findPortHolder(port: number): Promise<PortHolder | undefined> {
  const pid = (await listenerFromProc(port)) ?? (await listenerFromLsof(port));
  if (pid === undefined) return undefined;
  const table = await processTable();
  const self = table.get(pid);
  const command = self?.command ?? '';
  let runBy: PortHolder['runBy'];
  for (let entry = table.get(self?.ppid ?? 0), hops = 0; entry && hops < 16; entry = table.get(entry.ppid), hops++) {
    const role = roleOf(entry.command);
    if (role && RUNNERS.has(role)) runBy = { pid: entry.pid, role };
  }
  return { pid, role: roleOf(command) ?? (command === '' ? 'a process' : command.slice(0, 100)), command, runBy };
}

/** "the dev host (pid 42), run by npm start (pid 40)". */
export function describePortHolder(holder: PortHolder): string {
  const own = `${holder.role} (pid ${String(holder.pid)})`;
  return holder.runBy && holder.runBy.role !== holder.role ? `${own}, run by ${holder.runBy.role} (pid ${String(holder.runBy.pid)})` : own;
}

/** The listening socket's inode from /proc/net/tcp{,6}, then the process holding it. */
async function listenerFromProc(port: number): Promise<number | undefined> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      continue; // no /proc (not Linux), or no IPv6
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN; the inode is the tenth field.
      const localPort = Number.parseInt(fields[1]?.split(':')[1] ?? '', 16);
      if (localPort === port && fields[3] === '0A' && fields[9] && fields[9] !== '0') inodes.add(fields[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  const wanted = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let fds: string[];
    try {
      fds = await readdir(`/proc/${name}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      const target = await readlink(`/proc/${name}/fd/${fd}`).catch(() => '');
      if (wanted.has(target)) return Number(name);
    }
  }
  return undefined;
}

async function listenerFromLsof(port: number): Promise<number | undefined> {
  try {
    const { stdout } = await run('lsof', ['-nP', `-iTCP:${String(port)}`, '-sTCP:LISTEN', '-Fp'], { timeout: 5_000 });
    const pid = /^p(\d+)$/m.exec(stdout)?.[1];
    return pid === undefined ? undefined : Number(pid);
  } catch {
    return undefined;
  }
}

async function processTable(): Promise<Map<number, ProcessEntry>> {
  const table = new Map<number, ProcessEntry>();
  try {
    const { stdout } = await run('ps', ['-A', '-o', 'pid=,ppid=,args='], { timeout: 5_000, maxBuffer: 16 * 1024 * 1024 });
    for (const line of stdout.split('\n')) {
      const match = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
      if (match) table.set(Number(match[1]), { pid: Number(match[1]), ppid: Number(match[2]), command: match[3] ?? '' });
    }
  } catch {
    // no ps: the holder is named by pid only
  }
  return table;
}
