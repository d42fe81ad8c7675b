import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';

export interface PackageSize {
  readonly files: number;
  /** Sum of file sizes. */
  readonly bytes: number;
}

/** Files and bytes under a folder, as the deployment zip would hold them. */
export function measurePackage(dir: string): PackageSize {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += lstatSync(path.join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}
