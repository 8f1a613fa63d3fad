// wrk, the HTTP load generator of row 8: found on PATH, or installed from Debian's packages when
// we are root with apt-get (the machine is a throwaway container); run with --latency and its
// report read back (requests/s, latency percentiles, errors).
import { spawn, spawnSync } from 'node:child_process';

/** Whether a command is on PATH. */
function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function aptInstall() {
  const install = () =>
    spawnSync('apt-get', ['install', '-y', 'wrk'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (install().status === 0) return true;
  // A fresh container has no package lists yet: fetch them once and try again.
  spawnSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return install().status === 0;
}

/**
 * Makes sure wrk is there: returns undefined when it is (installing it first when we can), else
 * why it is not, with the command that would install it.
 */
export function ensureWrk() {
  if (onPath('wrk')) return undefined;
  const how = 'install it with `apt-get install -y wrk` (Debian/Ubuntu) and rerun';
  if (process.getuid?.() !== 0 || !onPath('apt-get')) return `wrk is not installed; ${how}`;
  console.log('wrk is not installed: running apt-get install -y wrk');
  if (aptInstall() && onPath('wrk')) return undefined;
  return `wrk is not installed and apt-get could not install it; ${how}`;
}

/** wrk's version line, for the results. */
export function wrkVersion() {
  // wrk -v prints its version and usage, and exits 1.
  const result = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`.split('\n')[0].trim();
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** A wrk duration (`812.00us`, `1.20ms`, `2.00s`) in ms. */
function durationMs(text) {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!match) throw new Error(`unreadable wrk duration ${JSON.stringify(text)}`);
  return Number(match[1]) * UNIT_MS[match[2]];
}

/** Reads wrk's --latency report: requests/s, p50/p99 latency, non-2xx answers, socket errors. */
export function parseWrk(report) {
  const requestsPerS = /^Requests\/sec:\s+([\d.]+)/m.exec(report)?.[1];
  const p50 = /^\s+50%\s+(\S+)/m.exec(report)?.[1];
  const p99 = /^\s+99%\s+(\S+)/m.exec(report)?.[1];
  if (!requestsPerS || !p50 || !p99) throw new Error(`unreadable wrk report:\n${report}`);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(report);
  return {
    requestsPerS: Number(requestsPerS),
    p50Ms: durationMs(p50),
    p99Ms: durationMs(p99),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(report)?.[1] ?? 0),
    socketErrors: socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
  };
}

/** Runs wrk against `url` and resolves with its parsed report. */
export function runWrk(url, { threads, connections, durationS }) {
  const args = [`-t${threads}`, `-c${connections}`, `-d${durationS}s`, '--latency', url];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`wrk ${args.join(' ')} exited with ${code}:\n${output}`));
      else resolve(parseWrk(output));
    });
  });
}
