/**
 * Shared by the health end-to-end tests (issue 5): the built binary with its health port on a
 * free port, a tiny app the tests steer through files in its working directory, and polling of
 * /health with a deadline. Every wait is bounded and says what never happened.
 */
import {
  existsSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { HealthBody, HealthProcess } from '../../src/core/health.js';
import { freePort } from '../helpers/free-port.js';
import { PROCINIT_BIN, projectDir, type RunningProcess, start, startProcinit } from '../helpers/procinit.js';
import { waitFor } from '../helpers/wait-for.js';
import { type Answer, fetchPath } from '../integration/health-helpers.js';

export type { HealthBody, HealthProcess } from '../../src/core/health.js';
export type { Answer } from '../integration/health-helpers.js';
export { freePort };

/**
 * `node app.mjs NAME [--http PORT] [--tcp PORT] [--slow-stop MS]`, written into each project.
 * On start it appends `<Date.now()> <pid>` to NAME.starts (its own record of when it started)
 * and dumps its argv and environment to NAME.seen.json. Files the test creates steer it:
 * NAME.down     while present: /ready answers 503 and the --tcp listener is closed;
 * NAME.refuse   (taken) stops accepting connections for good, but keeps running;
 * NAME.hang     (taken) freezes its event loop: it answers nothing, not even its SIGTERM handler;
 * NAME.crash    (taken) exits 1;  NAME.finish (taken) writes NAME.done = Date.now(), exits 0;
 * NAME.say      (taken) its content is written to stdout.
 * SIGTERM appends Date.now() to NAME.sigterm and exits 0 after --slow-stop ms.
 */
const APP_SOURCE = `
import { appendFileSync, existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';

const [name, ...rest] = process.argv.slice(2);
const option = (flag) => (rest.includes(flag) ? rest[rest.indexOf(flag) + 1] : undefined);
const httpPort = option('--http');
const tcpPort = option('--tcp');
const slowStopMs = Number(option('--slow-stop') ?? 0);
const file = (suffix) => name + '.' + suffix;
const take = (suffix) => existsSync(file(suffix)) && (unlinkSync(file(suffix)), true);

// seen.json first: a test that saw the start record may read it at once.
writeFileSync(file('seen.json'), JSON.stringify({ argv: process.argv, env: process.env }));
appendFileSync(file('starts'), Date.now() + ' ' + process.pid + '\\n');
process.on('SIGTERM', () => {
  appendFileSync(file('sigterm'), Date.now() + '\\n');
  setTimeout(() => process.exit(0), slowStopMs);
});

let refusing = false;
let tcpServer;
const httpServer = httpPort
  ? http
      .createServer((req, res) => {
        const down = req.url === '/ready' && existsSync(file('down'));
        res.writeHead(down ? 503 : 200).end(down ? 'down' : 'ok');
      })
      .listen(Number(httpPort), '127.0.0.1')
  : undefined;
function listenTcp(listening) {
  if (listening && !tcpServer) tcpServer = net.createServer((s) => s.destroy()).listen(Number(tcpPort), '127.0.0.1');
  if (!listening && tcpServer) {
    tcpServer.close();
    tcpServer = undefined;
  }
}

setInterval(() => {
  if (tcpPort) listenTcp(!refusing && !existsSync(file('down')));
  if (take('refuse')) {
    refusing = true;
    listenTcp(false);
    httpServer?.close();
    console.log(name + ' stops accepting');
  }
  if (take('hang')) {
    console.log(name + ' hangs');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  }
  if (take('crash')) process.exit(1);
  if (take('finish')) {
    writeFileSync(file('done'), String(Date.now()));
    process.exit(0);
  }
  if (existsSync(file('say'))) {
    const text = readFileSync(file('say'), 'utf8');
    unlinkSync(file('say'));
    process.stdout.write(text);
  }
}, 20);
console.log(name + ' up pid=' + process.pid);
`;

/** The Procfile command that runs the app as NAME with the given options. */
export function app(name: string, ...args: (string | number)[]): string {
  return [process.execPath, 'app.mjs', name, ...args].join(' ');
}

/** One procinit under test: its project directory, its health port and its output. */
export interface Project {
  dir: string;
  port: number;
  run: RunningProcess;
  /** Date.now() just before procinit was spawned. */
  startedMs: number;
  /** Creates (or replaces) a file in the project atomically, so the app never reads half of it. */
  write(name: string, content?: string): void;
  remove(name: string): void;
  /** The app's own start records, oldest first. */
  starts(name: string): { ms: number; pid: number }[];
  /** Waits for the app's `count`th start record (it writes it once Node has booted) and returns it. */
  started(name: string, count?: number): Promise<{ ms: number; pid: number }>;
  /** A number the app wrote on its own (NAME.done, NAME.sigterm: the first line). */
  stamp(file: string): number;
}

const projects = new Set<Project>();
const scratchDirs = new Set<string>();

/** An empty directory (no Procfile, no procinit.yaml), removed by `stopProjects`. */
export function scratchDir(): string {
  const dir = projectDir({});
  scratchDirs.add(dir);
  return dir;
}

export interface StartOptions {
  /** Added to procinit's environment (and so to every process's). */
  env?: NodeJS.ProcessEnv;
  /** Files created before procinit starts (a `down` flag, a .env file). */
  files?: Record<string, string>;
  /** The health port; default: a free one. */
  port?: number;
  /** false: no --health-port/--health-host flags, for a procinit.yaml that says where. */
  healthFlags?: boolean;
}

/**
 * Starts the built procinit in a fresh project (this Procfile and procinit.yaml, and app.mjs)
 * with its health port on 127.0.0.1 and a free port, JSON logs at trace level (every probe
 * attempt is logged), and resolves once /health answers; fails at once if procinit exits.
 */
export async function startProject(
  procfile: string,
  yaml: string,
  options: StartOptions = {},
): Promise<Project> {
  const port = options.port ?? (await freePort());
  const dir = projectDir({
    Procfile: procfile,
    'procinit.yaml': yaml,
    'app.mjs': APP_SOURCE,
    ...options.files,
  });
  const health =
    options.healthFlags === false ? [] : ['--health-port', String(port), '--health-host', '127.0.0.1'];
  const startedMs = Date.now();
  const run = startProcinit([...health, '--log-format', 'json', '-vv'], {
    cwd: dir,
    ...(options.env ? { env: options.env } : {}),
  });
  const project: Project = {
    dir,
    port,
    run,
    startedMs,
    write(name, content = '') {
      writeFileSync(join(dir, `.${name}.tmp`), content);
      renameSync(join(dir, `.${name}.tmp`), join(dir, name));
    },
    remove: (name) => rmSync(join(dir, name), { force: true }),
    starts: (name) => {
      const path = join(dir, `${name}.starts`);
      if (!existsSync(path)) return [];
      return readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(' ').map(Number) as [number, number])
        .map(([ms, pid]) => ({ ms, pid }));
    },
    started: (name, count = 1) =>
      waitFor(() => project.starts(name)[count - 1], {
        timeoutMs: 15_000,
        what: `${name} to record start number ${count}`,
      }),
    stamp: (file) => Number(readFileSync(join(dir, file), 'utf8').trim().split('\n')[0]),
  };
  projects.add(project);
  let exitCode: number | undefined;
  run.exited.then((code) => {
    exitCode = code;
  });
  await waitFor(() => exitCode !== undefined || fetchPath(port, '/health').then(() => true), {
    timeoutMs: 15_000,
    what: `procinit's health port ${port} to answer`,
    intervalMs: 25,
  });
  if (exitCode !== undefined) {
    throw new Error(`procinit exited with ${exitCode} before answering\n${run.stdout()}${run.stderr()}`);
  }
  return project;
}

/**
 * For afterEach: SIGTERM each procinit and wait for it (procinit stops what it started), then
 * kill whatever is left: procinit's own group, and any app still running in a project
 * directory (found by its working directory, so no unrelated process is ever touched).
 */
export async function stopProjects(): Promise<void> {
  for (const { run, dir } of projects) {
    if (run.child.exitCode === null && run.child.signalCode === null) {
      run.child.kill('SIGTERM');
      await within(run.exited, 15_000, 'procinit to exit after SIGTERM').catch(() => {});
    }
    try {
      if (run.child.pid) process.kill(-run.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    killAppsIn(dir);
    rmSync(dir, { recursive: true, force: true });
  }
  projects.clear();
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
  scratchDirs.clear();
}

function killAppsIn(dir: string): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) === dir) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
}

/** `promise`, or a failure naming `what` after `timeoutMs`. */
async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One request on its own connection, which must be answered within `timeoutMs`. */
export function request(port: number, path: string, method = 'GET', timeoutMs = 5_000): Promise<Answer> {
  return within(fetchPath(port, path, method), timeoutMs, `${method} ${path} on port ${port}`);
}

/** GET /health, parsed, with its status code. */
export async function health(port: number): Promise<HealthBody & { code: number }> {
  const answer = await request(port, '/health');
  return { ...(JSON.parse(answer.body) as HealthBody), code: answer.status };
}

/** Polls /health until `predicate` holds; fails with the last body seen. */
export async function waitForHealth(
  port: number,
  predicate: (body: HealthBody & { code: number }) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<HealthBody & { code: number }> {
  let last: unknown;
  try {
    return await waitFor(
      async () => {
        const body = await health(port);
        last = body;
        return predicate(body) ? body : undefined;
      },
      { timeoutMs, what, intervalMs: 20 },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\nlast /health: ${JSON.stringify(last)}`);
  }
}

/** The process `id` in a health body; fails when it is not there. */
export function proc(body: HealthBody, id: string): HealthProcess {
  const found = body.processes.find((p) => p.id === id);
  if (!found) throw new Error(`no ${id} in ${JSON.stringify(body)}`);
  return found;
}

export type LogRecord = Record<string, unknown> & { time: number };

/** procinit's stdout (--log-format json) as records: its own events and its children's lines. */
function records(run: RunningProcess): LogRecord[] {
  return run
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogRecord);
}

/** procinit's own records of `event` (about `process`, when given). */
export function eventsOf(run: RunningProcess, event: string, process?: string): LogRecord[] {
  return records(run).filter((r) => r.event === event && (process === undefined || r.process === process));
}

/** Waits until procinit has logged `event` (about `process`) matching `fields`; returns the first. */
export function waitForEvent(
  run: RunningProcess,
  event: string,
  process: string,
  fields: Record<string, unknown> = {},
): Promise<LogRecord> {
  const matches = (r: LogRecord) => Object.entries(fields).every(([key, value]) => r[key] === value);
  return waitFor(() => eventsOf(run, event, process).find(matches), {
    timeoutMs: 15_000,
    what: `procinit to log ${event} for ${process} with ${JSON.stringify(fields)}`,
  });
}

/** Waits until procinit relays the line `msg` that `process` wrote. */
export function waitForLine(run: RunningProcess, process: string, msg: string): Promise<LogRecord> {
  return waitFor(() => records(run).find((r) => r.proc === process && r.msg === msg), {
    timeoutMs: 15_000,
    what: `${process} to print ${JSON.stringify(msg)}`,
  });
}

/** What a CLI run of procinit printed and how it ended. */
interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `procinit ARGS` (healthcheck, status) to its end; it must end within 10 s. */
export async function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  const cli = start(process.execPath, [PROCINIT_BIN, ...args], options);
  const code = await within(cli.exited, 10_000, `procinit ${args.join(' ')} to exit`);
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** Resolves with procinit's exit code, or fails with its output if it has not exited in time. */
export function exitCodeWithin(run: RunningProcess, timeoutMs: number): Promise<number> {
  return within(run.exited, timeoutMs, `procinit to exit\n${run.stdout()}${run.stderr()}`);
}

/** Whether a pid is still a live process (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
