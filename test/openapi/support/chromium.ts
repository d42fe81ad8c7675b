import { accessSync, constants } from 'node:fs';

/**
 * Debian's chromium (apt-get install chromium): the browser binary itself, since
 * /usr/bin/chromium is a wrapper script. CHROMIUM_PATH, when set, is the only place
 * looked at (so a machine with chromium can check the skip). Undefined when none.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = env.CHROMIUM_PATH !== undefined ? [env.CHROMIUM_PATH] : ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
