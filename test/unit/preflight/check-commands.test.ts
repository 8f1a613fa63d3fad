import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCommands, findExecutable } from '../../../src/preflight/check-commands.js';

const root = mkdtempSync(join(tmpdir(), 'procinit-commands-'));
const bin = join(root, 'bin');
const later = join(root, 'later');
mkdirSync(bin);
mkdirSync(later);
mkdirSync(join(bin, 'adir'));
writeFileSync(join(bin, 'gunicorn'), '#!/bin/sh\n', { mode: 0o755 });
writeFileSync(join(bin, 'notes'), 'not a program\n', { mode: 0o644 });
writeFileSync(join(later, 'notes'), '#!/bin/sh\n', { mode: 0o755 });
chmodSync(join(bin, 'notes'), 0o644);

afterAll(() => rmSync(root, { recursive: true, force: true }));

const options = { pathEnv: `${bin}:${later}`, cwd: root, now: () => 0, secretPatterns: [] };

describe('findExecutable', () => {
  it('finds a program in the first PATH directory that has it as an executable file', () => {
    expect(findExecutable('gunicorn', options.pathEnv, root)).toBe(join(bin, 'gunicorn'));
    // bin/notes is not executable: the lookup goes on, as execvp does.
    expect(findExecutable('notes', options.pathEnv, root)).toBe(join(later, 'notes'));
  });
  it('skips directories and takes a name with a slash as a path', () => {
    expect(findExecutable('adir', options.pathEnv, root)).toBeUndefined();
    expect(findExecutable('./bin/gunicorn', '', root)).toBe(join(bin, 'gunicorn'));
  });
});

describe('checkCommands', () => {
  it('passes a command found on PATH, naming where', () => {
    expect(checkCommands(['gunicorn'], options)).toMatchObject([
      { check: 'command', subject: 'gunicorn', severity: 'ok', detail: join(bin, 'gunicorn') },
    ]);
  });

  it('fails each command that is missing, showing the PATH searched and a fix', () => {
    const lines = checkCommands(['celery', 'gunicorn', 'alembic'], options);
    expect(lines.map((line) => [line.subject, line.severity])).toEqual([
      ['celery', 'fail'],
      ['gunicorn', 'ok'],
      ['alembic', 'fail'],
    ]);
    expect(lines[0]).toMatchObject({
      detail: `not found on PATH=${options.pathEnv}`,
      fix: 'install celery in the image, or add its directory to PATH',
    });
  });

  it('fails a path that is not an executable file', () => {
    expect(checkCommands([join(bin, 'notes')], options)[0]).toMatchObject({ severity: 'fail', ok: false });
  });
});
