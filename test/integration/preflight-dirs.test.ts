import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDirs } from '../../src/preflight/check-dirs.js';
import { readUserDatabase } from '../../src/runtime/user-identity.js';
import { createThrowawayUser, type ThrowawayUser } from '../fixtures/preflight/throwaway-user.js';
import { requireRoot } from '../helpers/capabilities.js';

const { skip } = requireRoot();

describe.skipIf(skip)('preflight dirs as root (real chown, a throwaway user)', () => {
  let user: ThrowawayUser;
  let root: string;
  const options = (mode: 'run' | 'check') => ({ mode, db: readUserDatabase(), currentUid: 0, now: Date.now });
  const ownerAndMode = (path: string) => {
    const stat = statSync(path);
    return { uid: stat.uid, gid: stat.gid, mode: (stat.mode & 0o7777).toString(8) };
  };

  beforeAll(() => {
    user = createThrowawayUser();
    root = mkdtempSync(join(tmpdir(), 'procinit-dirs-root-'));
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    user?.remove();
  });

  it('creates the directory with its parents, then gives it the owner and mode asked for', () => {
    const path = join(root, 'app/public/uploads');
    const [line] = checkDirs(
      [{ path, mode: 0o750, owner: `${user.name}:${user.group}`, recursive: false }],
      options('run'),
    );
    expect(line).toMatchObject({
      severity: 'ok',
      detail: expect.stringMatching(/^created, mode 0750, owner /),
    });
    expect(ownerAndMode(path)).toEqual({ uid: user.uid, gid: user.gid, mode: '750' });
    // Parents are made as mkdir -p makes them: root's, the default mode.
    expect(ownerAndMode(join(root, 'app')).uid).toBe(0);
  });

  it('owner "user" alone means the user and its primary group', () => {
    const path = join(root, 'logs');
    checkDirs([{ path, owner: user.name, recursive: false }], options('run'));
    expect(ownerAndMode(path)).toMatchObject({ uid: user.uid, gid: user.gid });
  });

  it('recursive gives what is below to the user too (files and directories)', () => {
    const path = join(root, 'data');
    mkdirSync(join(path, 'cache/deep'), { recursive: true });
    writeFileSync(join(path, 'cache/deep/file.txt'), 'x');
    const [line] = checkDirs([{ path, owner: user.name, mode: 0o2770, recursive: true }], options('run'));
    expect(line?.detail).toMatch(/and 3 entries below$/);
    for (const below of ['cache', 'cache/deep', 'cache/deep/file.txt']) {
      expect(ownerAndMode(join(path, below))).toMatchObject({ uid: user.uid, gid: user.gid });
    }
    expect(ownerAndMode(join(path, 'cache/deep')).mode).toBe('2770');
    expect(ownerAndMode(join(path, 'cache/deep/file.txt')).mode).toBe('660');
  });

  it('check mode creates nothing and changes nothing, and says what run would do', () => {
    const missing = join(root, 'check/missing');
    const existing = join(root, 'check-existing');
    mkdirSync(existing, { mode: 0o755 });
    const before = ownerAndMode(existing);
    const lines = checkDirs(
      [
        { path: missing, mode: 0o750, owner: user.name, recursive: false },
        { path: existing, mode: 0o700, owner: user.name, recursive: true },
      ],
      options('check'),
    );
    expect(existsSync(join(root, 'check'))).toBe(false);
    expect(ownerAndMode(existing)).toEqual(before);
    expect(lines.map((line) => line.detail)).toEqual([
      expect.stringMatching(/^missing: would be created, mode 0750, owner /),
      `exists; would change mode 0755 → 0700, owner 0:0 → ${user.uid}:${user.gid} (and below: not inspected)`,
    ]);
  });
});
