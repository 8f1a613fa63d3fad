import { chmodSync, chownSync, lchownSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** What to give a directory (and, when recursive, what is below it). */
export interface DirWanted {
  mode?: number;
  uid?: number;
  gid?: number;
}

/** The permission bits of a mode, as written in procinit.yaml: `0750`. */
export function formatMode(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

/**
 * The mode a regular file below a recursive directory gets: the wanted bits without execute,
 * except where the file was executable already (chmod's `X`). `chmod -R 0750` would make every
 * log file and config file executable; nobody wants that.
 */
export function fileModeFor(wanted: number, current: number): number {
  const executable = (current & 0o111) !== 0;
  return executable ? wanted & 0o777 : wanted & 0o666;
}

/**
 * Applies owner and mode to everything below `root` (not `root` itself), depth first.
 * Symbolic links are never followed: as root, following one would hand `/etc` to the app user
 * (a link planted in an uploads directory is enough). A link itself gets the owner (lchown) but
 * no mode (Linux has none for links). Returns how many entries were changed.
 */
export function applyBelow(root: string, wanted: DirWanted): number {
  let count = 0;
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      const chownIds = [wanted.uid ?? -1, wanted.gid ?? -1] as const;
      if (stat.isSymbolicLink()) {
        if (wanted.uid !== undefined || wanted.gid !== undefined) lchownSync(path, ...chownIds);
      } else {
        // Owner first: chown clears setuid/setgid bits that the mode may want set.
        if (wanted.uid !== undefined || wanted.gid !== undefined) chownSync(path, ...chownIds);
        if (wanted.mode !== undefined) {
          chmodSync(path, stat.isDirectory() ? wanted.mode : fileModeFor(wanted.mode, stat.mode));
        }
      }
      count += 1;
      if (stat.isDirectory()) stack.push(path);
    }
  }
  return count;
}
