import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { execText, isSimpleCommand, shellArgv } from '../../../src/config/shell-command.js';

describe('isSimpleCommand', () => {
  it.each([
    'gunicorn --bind 0.0.0.0:8000 src.api:app',
    'celery -A app.celery worker --loglevel=info',
    'gunicorn --bind 0.0.0.0:$PORT app',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, on purpose
    'gunicorn --bind 0.0.0.0:${PORT:-8000} app',
    'echo "a; b && c | d & (e) {f}"',
    "echo 'a; b && c | d'",
    'echo a\\;b',
    'python app.py 2>&1',
    'python app.py >/tmp/log 2>&1 </dev/null',
    'FOO=bar BAZ="x y" python app.py',
    'exec gunicorn app',
    'node server.js # the API',
    '"/opt/my app/bin/run" --flag',
  ])('simple: %s', (cmd) => {
    expect(isSimpleCommand(cmd)).toBe(true);
  });

  it.each([
    'cd /app && gunicorn app',
    'a || b',
    'a; b',
    'a | b',
    'a &',
    'a & b',
    'a &> log',
    '(cd /app; run)',
    '{ run; }',
    'echo `date`',
    'echo $(date)',
    'echo "$(date)"',
    'echo "`date`"',
    'a\nb',
    'if true; then run; fi',
    'while true',
    'for i in 1 2',
    'case x in',
    'until false',
    '! run',
    'cd /app',
    'export FOO=bar',
    '. ./venv/bin/activate',
    'eval "$CMD"',
    'FOO=bar',
    '',
    'echo "unterminated',
    "echo 'unterminated",
  ])('compound or not exec-able: %j', (cmd) => {
    expect(isSimpleCommand(cmd)).toBe(false);
  });
});

describe('execText and shellArgv', () => {
  it.each([
    ['gunicorn app', 'exec gunicorn app'],
    ['  gunicorn app', '  exec gunicorn app'],
    ['FOO=bar env', 'FOO=bar exec env'],
    ['A=1 B="x y" run --flag', 'A=1 B="x y" exec run --flag'],
    ['exec gunicorn app', 'exec gunicorn app'],
    ['cd /app && gunicorn app', 'cd /app && gunicorn app'],
  ])('%j runs as %j', (cmd, text) => {
    expect(execText(cmd)).toBe(text);
    expect(shellArgv(cmd)).toEqual(['/bin/sh', '-c', text]);
  });
});

/** Runs a command as procinit would and reports the pid sh got and the pid the program saw. */
function runAsProcinit(text: string): { shellPid: number; programPid: number; stdout: string } {
  const result = spawnSync('/bin/sh', ['-c', text], { encoding: 'utf8' });
  expect(result.status).toBe(0);
  // /proc/self/stat starts with the pid of the process reading it: cat itself.
  const programPid = Number(/^(\d+) \(cat\)/m.exec(result.stdout)?.[1]);
  return { shellPid: result.pid as number, programPid, stdout: result.stdout };
}

describe('with the real /bin/sh', () => {
  it('execs a simple command, so the supervised pid is the program', () => {
    const { shellPid, programPid } = runAsProcinit(execText('cat /proc/self/stat'));
    expect(programPid).toBe(shellPid);
  });

  it('execs after leading assignments, and the program gets the variables', () => {
    const { shellPid, programPid } = runAsProcinit(execText('FOO=bar cat /proc/self/stat'));
    expect(programPid).toBe(shellPid);
    const env = spawnSync('/bin/sh', ['-c', execText('FOO=bar env')], { encoding: 'utf8' });
    expect(env.stdout.split('\n')).toContain('FOO=bar');
  });

  // bash and busybox sh exec a lone command by themselves; Debian's dash, the reason for all
  // this, does not.
  const shIsDash = realpathSync('/bin/sh').endsWith('dash');
  it.skipIf(!shIsDash)('negative control: without the exec, dash forks, so the pids differ', () => {
    const { shellPid, programPid } = runAsProcinit('cat /proc/self/stat');
    expect(programPid).not.toBe(shellPid);
  });

  it('keeps the shell for a compound command, which still runs', () => {
    const { shellPid, programPid } = runAsProcinit(execText('true && cat /proc/self/stat'));
    expect(programPid).not.toBe(shellPid);
  });
});
