import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  app,
  freePort,
  type Project,
  proc,
  request,
  runCli,
  startProject,
  stopProjects,
  waitForHealth,
} from './health-e2e-helpers.js';

// SPEC §6: "The body never contains environment values or commands." Distinctive values are set
// in every place a process gets them from (procinit's own environment, an env file, env:, the
// command line, probe commands and URLs), the processes are shown to have received them, and
// then no answer of the health port, nor `procinit status` or `healthcheck`, contains any of them.

afterEach(stopProjects);

/** Every distinctive value, and the names that carry them: none may appear in any answer. */
const SECRETS = [
  'zq-procinit-env-33',
  'zq-envfile-value-88',
  'zq-env-pass-19',
  'zq-plain-env-42',
  'zq-env-secret-key-61',
  'zq-cmd-arg-7731',
  'zq-cmd-arg-5512',
  'zq-exec-probe-file',
  'zq-probe-path',
  'PROCINIT_E2E_OWN',
  'FROM_ENV_FILE',
  'DATABASE_URL',
  'PLAIN_SETTING',
  'SECRET_KEY',
  'postgres://',
  'app.mjs',
  '--token',
  '--password',
];

async function startLeakyProject(): Promise<Project> {
  const appPort = await freePort();
  return startProject(
    [
      `web: ${app('web', '--http', appPort, '--token=zq-cmd-arg-7731')}`,
      `worker: ${app('worker', '--password', 'zq-cmd-arg-5512')}`,
      '',
    ].join('\n'),
    [
      'env_file: [.env]',
      'processes:',
      '  web:',
      '    env: { DATABASE_URL: "postgres://u:zq-env-pass-19@db/x", PLAIN_SETTING: "zq-plain-env-42" }',
      '    readiness: { exec: "test ! -e zq-exec-probe-file", interval: 50ms }',
      `    liveness: { http: "http://127.0.0.1:${appPort}/zq-probe-path", initial_delay: 1s, interval: 100ms }`,
      '  worker:',
      '    env: { SECRET_KEY: "zq-env-secret-key-61" }',
      '    backoff: { initial: 30s }',
      '',
    ].join('\n'),
    {
      env: { PROCINIT_E2E_OWN: 'zq-procinit-env-33' },
      files: { '.env': 'FROM_ENV_FILE=zq-envfile-value-88\n' },
    },
  );
}

/** Every answer procinit gives about its processes, labelled: the port's and the CLI's. */
async function everyAnswer(port: number): Promise<[string, string][]> {
  const answers: [string, string][] = [];
  for (const path of ['/health', '/healthz', '/readyz', '/livez', '/metrics', '/nope']) {
    answers.push([`GET ${path}`, (await request(port, path)).body]);
  }
  answers.push(['POST /health', (await request(port, '/health', 'POST')).body]);
  for (const args of [['status'], ['status', '--json'], ['healthcheck']]) {
    const result = await runCli([...args, '--port', String(port)]);
    answers.push([`procinit ${args.join(' ')}`, result.stdout + result.stderr]);
  }
  return answers;
}

function expectNoSecrets(answers: [string, string][]): void {
  for (const [label, text] of answers) {
    for (const secret of SECRETS) expect(text.includes(secret), `${label} contains ${secret}`).toBe(false);
  }
}

describe('no environment value or command in any answer', () => {
  it('healthy and unhealthy: /health, /healthz, /readyz, /livez, /metrics, 404, 405, status, healthcheck', async () => {
    const project = await startLeakyProject();
    const { port, dir } = project;
    let body = await waitForHealth(port, (b) => b.status === 'healthy', 'healthy');

    // The processes did get every value (else the test would prove nothing).
    const seen = (name: string) => readFileSync(join(dir, `${name}.seen.json`), 'utf8');
    await project.started('web');
    await project.started('worker');
    for (const value of ['zq-procinit-env-33', 'zq-envfile-value-88', 'zq-env-pass-19', 'zq-cmd-arg-7731']) {
      expect(seen('web')).toContain(value);
    }
    for (const value of ['zq-env-secret-key-61', 'zq-cmd-arg-5512', 'zq-envfile-value-88']) {
      expect(seen('worker')).toContain(value);
    }

    const healthy = await everyAnswer(port);
    expectNoSecrets(healthy);
    // What the answers are about is there: the process names, the real pids.
    const text = (label: string) => healthy.find(([l]) => l === label)?.[1] ?? '';
    for (const label of [
      'GET /health',
      'GET /healthz',
      'GET /readyz',
      'procinit status',
      'procinit status --json',
    ]) {
      expect(text(label)).toContain('web.1');
      expect(text(label)).toContain('worker.1');
      expect(text(label)).toContain(String(proc(body, 'web.1').pid));
    }
    expect(text('GET /metrics')).toContain('procinit_process_up{process="web.1",name="web"} 1');
    expect(text('GET /metrics')).toContain('procinit_process_up{process="worker.1",name="worker"} 1');
    expect(text('GET /livez')).toBe('{"status":"alive"}');

    // Unhealthy: the answers now explain a failure, still without a secret.
    project.write('worker.crash');
    body = await waitForHealth(port, (b) => proc(b, 'worker.1').state === 'backoff', 'worker.1 in backoff');
    expect(body.status).toBe('unhealthy');
    const unhealthy = await everyAnswer(port);
    expectNoSecrets(unhealthy);
    const healthcheck = unhealthy.find(([label]) => label === 'procinit healthcheck')?.[1];
    expect(healthcheck).toBe('procinit healthcheck: unhealthy (HTTP 503): worker.1 backoff\n');
  });
});
