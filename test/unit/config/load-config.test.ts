import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadHealthTarget } from '../../../src/config/load-config.js';
import type { CliOptions } from '../../../src/config/resolved-config.js';
import { formatProblem, ProcinitError } from '../../../src/errors.js';

const project = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/config/projects/${name}`, import.meta.url));

function load(name: string, cli: CliOptions = {}, environ: Record<string, string> = {}) {
  return loadConfig(cli, { environ, cwd: project(name), stdoutIsTTY: false });
}

/** The problems loadConfig throws, formatted; fails when it does not throw a ProcinitError. */
async function loadProblems(
  name: string,
  cli: CliOptions = {},
  environ: Record<string, string> = {},
): Promise<string[]> {
  try {
    await load(name, cli, environ);
  } catch (error) {
    expect(error).toBeInstanceOf(ProcinitError);
    expect((error as ProcinitError).exitCode).toBe(2);
    return (error as ProcinitError).problems.map(
      (problem) => formatProblem(problem).split('\n')[0] as string,
    );
  }
  throw new Error(`${name} loaded without problems`);
}

describe('loadConfig', () => {
  it('reads procinit.yaml, the Procfile and the env files that exist', async () => {
    const config = await load('basic', {}, { HOME: '/root' });
    expect(config.sources).toEqual({
      procfile: `${project('basic')}/Procfile`,
      config: `${project('basic')}/procinit.yaml`,
      envFiles: [`${project('basic')}/.env`],
    });
    expect(config.processes.map((spec) => spec.id)).toEqual(['web.1', 'worker.1', 'worker.2']);
    expect(config.health.port).toBe(9000);
    // HOME is set in the environment, so the env file does not override it.
    expect(config.processes[0]?.env).toEqual({
      SECRET_KEY: 'abc123',
      STRIPE_PK: 'pk_live_1',
      PROCINIT_PROCESS: 'web.1',
      PROCINIT_INSTANCE: '1',
    });
  });

  it('finds procinit.yml and needs no Procfile when it defines the processes', async () => {
    expect((await load('yaml-only')).processes.map((spec) => spec.id)).toEqual(['api.1']);
  });

  it('takes paths written in procinit.yaml from its directory', async () => {
    const config = await load('nested', { config: 'config/procinit.yaml' });
    expect(config.sources.procfile).toBe(`${project('nested')}/Procfile`);
    expect(config.processes[0]?.env.FROM_NESTED).toBe('yes');
  });

  it('needs no Procfile in single-command mode', async () => {
    expect((await load('empty', { command: ['sleep', '1'] })).processes.map((spec) => spec.id)).toEqual([
      'sleep.1',
    ]);
  });

  it('says what to do when there is no Procfile and no processes', async () => {
    expect(await loadProblems('empty')).toEqual([
      'nothing to run: no Procfile, and no processes with a command in procinit.yaml',
    ]);
  });

  it.each([
    ['-f', { procfile: 'nope/Procfile' }, {}, 'Procfile "nope/Procfile" (from -f/--procfile): not found'],
    [
      'PROCINIT_PROCFILE',
      {},
      { PROCINIT_PROCFILE: 'Procfile.dev' },
      'Procfile "Procfile.dev" (from PROCINIT_PROCFILE): not found',
    ],
    ['-c', { config: 'other.yaml' }, {}, 'config file "other.yaml" (from -c/--config): not found'],
    [
      'PROCINIT_CONFIG',
      {},
      { PROCINIT_CONFIG: 'x.yaml' },
      'config file "x.yaml" (from PROCINIT_CONFIG): not found',
    ],
    ['-e', { envFiles: ['.env', 'prod.env'] }, {}, 'env file "prod.env" (from -e/--env-file): not found'],
    [
      'PROCINIT_ENV_FILE',
      {},
      { PROCINIT_ENV_FILE: 'a.env, .env' },
      'env file "a.env" (from PROCINIT_ENV_FILE): not found',
    ],
  ])('a missing file named by %s is an error', async (_, cli, environ, message) => {
    expect(await loadProblems('basic', cli as CliOptions, environ as Record<string, string>)).toEqual([
      message,
    ]);
  });

  it('a missing Procfile named by procfile: in procinit.yaml is an error located there', async () => {
    expect(await loadProblems('procfile-named-in-yaml')).toEqual([
      'procinit.yaml:1:11: Procfile "deploy/Procfile" (from procfile in procinit.yaml): not found',
    ]);
  });

  it('reports two config files in one directory', async () => {
    expect(await loadProblems('ambiguous')).toEqual(['found procinit.yaml and procinit.yml']);
  });

  it('reports the problems of every file together', async () => {
    expect(await loadProblems('broken')).toEqual([
      'procinit.yaml:3:10: log.level: expected trace, debug, info, warn or error, found "loud"',
      'Procfile:2: duplicate process name "web" (first on line 1)',
      '.env:2: malformed line starting "not": no "="',
    ]);
  });

  it('reports resolution problems such as a depends_on cycle', async () => {
    expect(await loadProblems('cycle')).toEqual(['procinit.yaml:3:19: depends_on cycle: a → b → a']);
  });
});

describe('loadHealthTarget', () => {
  it.each([
    ['health.port of procinit.yaml', 'basic', {}, {}, { port: 9000, host: '127.0.0.1' }],
    ['the defaults', 'empty', {}, {}, { port: 8099, host: '127.0.0.1' }],
    [
      'PROCINIT_HEALTH_PORT',
      'basic',
      {},
      { PROCINIT_HEALTH_PORT: '9100' },
      { port: 9100, host: '127.0.0.1' },
    ],
    [
      '--port and --host',
      'basic',
      { port: 1, host: '10.0.0.1' },
      { PROCINIT_HEALTH_PORT: '9100' },
      { port: 1, host: '10.0.0.1' },
    ],
    ['host ::', 'empty', {}, { PROCINIT_HEALTH_HOST: '::' }, { port: 8099, host: '127.0.0.1' }],
  ])('from %s', async (_, name, flags, environ, target) => {
    expect(await loadHealthTarget(flags, { environ, cwd: project(name) })).toEqual(target);
  });
});
