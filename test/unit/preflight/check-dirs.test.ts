import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DirSpec } from '../../../src/config/resolved-config.js';
import { checkDirs } from '../../../src/preflight/check-dirs.js';
import { fileModeFor, formatMode } from '../../../src/preflight/dir-tree.js';
import type { UserDatabase } from '../../../src/runtime/user-identity.js';

const root = mkdtempSync(join(tmpdir(), 'procinit-dirs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const uid = process.getuid?.() ?? 0;
const gid = process.getgid?.() ?? 0;
/** Only the test's own user: a chown to oneself works without root. */
const db: UserDatabase = {
  passwd: [{ name: 'me', uid, gid, home: '/' }],
  groups: [{ name: 'mine', gid, members: [] }],
};
const run = (dirs: DirSpec[]) => checkDirs(dirs, { mode: 'run', db, currentUid: uid, now: () => 0 });
const check = (dirs: DirSpec[]) => checkDirs(dirs, { mode: 'check', db, currentUid: uid, now: () => 0 });
const modeOf = (path: string) => formatMode(statSync(path).mode);

describe('checkDirs, run mode', () => {
  it('creates a directory with its parents, then gives it mode and owner', () => {
    const path = join(root, 'a/b/uploads');
    const [line] = run([{ path, mode: 0o750, owner: 'me', recursive: false }]);
    expect(line).toMatchObject({
      check: 'dir',
      subject: path,
      severity: 'ok',
      detail: `created, mode 0750, owner me:mine (${uid}:${gid})`,
    });
    expect(modeOf(path)).toBe('0750');
    expect(statSync(path).uid).toBe(uid);
  });

  it('leaves an existing directory in place and fixes its mode', () => {
    const path = join(root, 'existing');
    mkdirSync(path, { mode: 0o700 });
    writeFileSync(join(path, 'keep'), 'x');
    expect(run([{ path, mode: 0o755, recursive: false }])[0]).toMatchObject({
      severity: 'ok',
      detail: 'exists, mode 0755',
    });
    expect(modeOf(path)).toBe('0755');
    expect(existsSync(join(path, 'keep'))).toBe(true);
  });

  it('recursive: directories below get the mode, files lose execute unless they had it', () => {
    const path = join(root, 'tree');
    mkdirSync(join(path, 'sub'), { recursive: true, mode: 0o700 });
    writeFileSync(join(path, 'sub/log.txt'), '', { mode: 0o600 });
    writeFileSync(join(path, 'sub/run.sh'), '', { mode: 0o700 });
    const [line] = run([{ path, mode: 0o750, recursive: true }]);
    expect(line).toMatchObject({ severity: 'ok', detail: 'exists, mode 0750, and 3 entries below' });
    expect([
      modeOf(join(path, 'sub')),
      modeOf(join(path, 'sub/log.txt')),
      modeOf(join(path, 'sub/run.sh')),
    ]).toEqual(['0750', '0640', '0750']);
  });

  it('recursive: never follows a symbolic link out of the tree', () => {
    const outside = join(root, 'outside');
    mkdirSync(outside, { mode: 0o700 });
    const path = join(root, 'links');
    mkdirSync(path);
    symlinkSync(outside, join(path, 'escape'));
    run([{ path, mode: 0o777, recursive: true }]);
    expect(modeOf(outside)).toBe('0700');
  });

  it('fails a path that is a file, an unknown owner, and a directory it cannot create, all in one run', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    const lines = run([
      { path: file, recursive: false },
      { path: join(root, 'x'), owner: 'ghost', recursive: false },
      { path: join(file, 'below'), recursive: false },
    ]);
    expect(lines.map((line) => [line.severity, line.detail])).toEqual([
      ['fail', 'exists and is not a directory'],
      ['fail', 'owner: user "ghost" does not exist in /etc/passwd'],
      ['fail', expect.stringMatching(/^cannot create it: ENOTDIR/)],
    ]);
    // The unknown owner stopped that directory from being created at all.
    expect(existsSync(join(root, 'x'))).toBe(false);
  });
});

describe('checkDirs, check mode', () => {
  it('creates nothing and says what run would do', () => {
    const path = join(root, 'not-yet/there');
    const [line] = check([{ path, mode: 0o750, owner: 'me', recursive: true }]);
    expect(line).toMatchObject({
      severity: 'ok',
      detail: `missing: would be created, mode 0750, owner me:mine (${uid}:${gid}), and below`,
    });
    expect(existsSync(join(root, 'not-yet'))).toBe(false);
  });

  it('changes nothing on an existing directory and names the differences', () => {
    const path = join(root, 'inspect');
    mkdirSync(path, { mode: 0o700 });
    const [line] = check([{ path, mode: 0o750, recursive: false }]);
    expect(line).toMatchObject({ severity: 'ok', detail: 'exists; would change mode 0700 → 0750' });
    expect(modeOf(path)).toBe('0700');
  });

  it('fails when a chown would be needed and procinit is not root', () => {
    const path = join(root, 'inspect-owner');
    mkdirSync(path);
    const lines = checkDirs([{ path, owner: '4242:4242', recursive: false }], {
      mode: 'check',
      db,
      currentUid: 1000,
      now: () => 0,
    });
    expect(lines[0]).toMatchObject({
      severity: 'fail',
      detail: expect.stringContaining('procinit is not root'),
    });
  });
});

describe('fileModeFor', () => {
  it.each([
    [0o750, 0o600, 0o640],
    [0o750, 0o700, 0o750],
    [0o2775, 0o644, 0o664],
  ])('mode %o on a file with %o gives %o', (wanted, current, expected) => {
    expect(fileModeFor(wanted, current)).toBe(expected);
  });
});
