import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A process holding a listening socket. */
export interface PortHolder {
  pid: number;
  /** Its name, from /proc/PID/comm. */
  name: string;
}

const LISTEN = '0A';

/**
 * The inodes of TCP sockets listening on `port`, from the text of /proc/net/tcp or tcp6
 * (`sl local_address rem_address st … uid timeout inode`, addresses as `HEXADDR:HEXPORT`).
 */
export function listeningInodes(procNetText: string, port: number): string[] {
  const inodes: string[] = [];
  for (const line of procNetText.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    if (!local || fields[3] !== LISTEN) continue;
    const portHex = local.slice(local.lastIndexOf(':') + 1);
    if (Number.parseInt(portHex, 16) === port && fields[9]) inodes.push(fields[9]);
  }
  return inodes;
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

/**
 * Who listens on TCP `port`, found the way `ss -p` finds it (slim images have no ss or lsof):
 * the socket's inode from /proc/net/tcp{,6}, then the process with an fd on `socket:[inode]`.
 * Undefined when no process of this PID namespace holds it (another network namespace user,
 * host networking) or /proc cannot tell. Only called after a bind failed, so its cost (one
 * readlink per open fd) is paid only when there is something to explain.
 */
export function findPortHolder(port: number, procRoot = '/proc'): PortHolder | undefined {
  const inodes = new Set([
    ...listeningInodes(readOr(`${procRoot}/net/tcp`, ''), port),
    ...listeningInodes(readOr(`${procRoot}/net/tcp6`, ''), port),
  ]);
  if (inodes.size === 0) return undefined;
  const targets = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  let pids: string[];
  try {
    pids = readdirSync(procRoot).filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`${procRoot}/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to look at
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`${procRoot}/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (targets.has(link)) {
        return { pid: Number(pid), name: readOr(`${procRoot}/${pid}/comm`, '?').trim() };
      }
    }
  }
  return undefined;
}
