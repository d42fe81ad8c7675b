import { connect } from 'node:net';
import { describePortHolder, findPortHolder, type PortHolder } from './portHolder';

/** A listen() failure because another socket holds the address. */
export function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

/** Who holds the port, or undefined when that cannot be seen; never throws. */
export function holderOf(port: number): Promise<PortHolder | undefined> {
  return findPortHolder(port).catch(() => undefined);
}

/**
 * "PORT 7071 on 127.0.0.1 is in use by the dev host (pid 42), run by npm start (pid 40)":
 * `what` names the setting or option the port came from ("PORT 7071", "port 7443").
 */
export function portInUseMessage(what: string, host: string, holder: PortHolder | undefined): string {
  return `${what} on ${host} is in use ${holder ? `by ${describePortHolder(holder)}` : '(by a process this user cannot see)'}`;
}

/** Whether something accepts connections on host:port now (a probe that binds nothing, so it cannot disturb the holder). */
export function isListening(port: number, host: string, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.setTimeout(timeoutMs, () => {
      done(false);
    });
    socket.once('connect', () => {
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
  });
}
