import { chmodSync, lstatSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThrowawayUser, type ThrowawayUser } from '../fixtures/preflight/throwaway-user.js';
import { requireRoot } from '../helpers/capabilities.js';
import { killAll } from '../helpers/procinit.js';
import {
  ownerAndMode,
  removeTempDirs,
  report,
  runProcinit,
  tempDir,
  writeProject,
} from './preflight-helpers.js';

// SPEC §7: `procinit run` creates each directory with its parents, then gives it its mode and
// owner; `recursive` applies them below too. Checked with stat on real files, as root, for a
// user made for this file (useradd) and removed after it.

const { skip } = requireRoot();

describe.skipIf(skip)('preflight dirs: mode and owner on disk', () => {
  let user: ThrowawayUser;
  beforeAll(() => {
    user = createThrowawayUser();
  });
  afterAll(() => {
    killAll();
    removeTempDirs();
    user?.remove();
  });

  it('creates, chmods and chowns each directory (recursive: everything below, links not followed)', async () => {
    const root = tempDir();
    chmodSync(root, 0o755); // mkdtemp makes it 0700: the user could not even reach its directories.
    const paths = {
      uploads: join(root, 'app/public/uploads'),
      logs: join(root, 'logs'),
      existing: join(root, 'existing'),
      shared: join(root, 'shared'),
      outside: join(root, 'outside.txt'),
    };
    mkdirSync(paths.existing, { mode: 0o777 });
    chmodSync(paths.existing, 0o777);
    mkdirSync(join(paths.shared, 'sub/deep'), { recursive: true });
    writeFileSync(join(paths.shared, 'sub/deep/file.txt'), 'data', { mode: 0o644 });
    writeFileSync(join(paths.shared, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(paths.outside, 'root only', { mode: 0o600 });
    // A link planted below a recursive directory must not hand its target to the user.
    symlinkSync(paths.outside, join(paths.shared, 'link-out'));
    const userGroup = `${user.name}:${user.group} (${user.uid}:${user.gid})`;
    const extra = `${user.name}:${user.extraGroup} (${user.uid}:${user.extraGid})`;
    const dir = tempDir();
    // The process runs as the user and writes where the owner says it may.
    writeProject(dir, `web: touch ${paths.uploads}/by-user ${paths.logs}/by-user\n`, {
      processes: { web: { restart: 'never', user: user.name } },
      preflight: {
        dirs: [
          { path: paths.uploads, mode: '0750', owner: `${user.name}:${user.group}` },
          { path: paths.logs, owner: user.name },
          { path: paths.existing, mode: '0700', owner: user.name },
          { path: paths.shared, mode: '2770', owner: `${user.name}:${user.extraGroup}`, recursive: true },
        ],
      },
    });

    const result = await runProcinit(['--log-format', 'json'], { cwd: dir });

    expect(result.code, result.output).toBe(0);
    expect(report(result).filter((line) => line.includes(' dir '))).toEqual([
      `[ok]   dir ${paths.uploads}: created, mode 0750, owner ${userGroup}`,
      `[ok]   dir ${paths.logs}: created, owner ${userGroup}`,
      `[ok]   dir ${paths.existing}: exists, mode 0700, owner ${userGroup}`,
      `[ok]   dir ${paths.shared}: exists, mode 02770, owner ${extra}, and 5 entries below`,
    ]);
    const own = { uid: user.uid, gid: user.gid };
    expect(ownerAndMode(paths.uploads)).toEqual({ ...own, mode: '750' });
    // Parents are made as mkdir -p makes them: root's.
    expect(ownerAndMode(join(root, 'app'))).toMatchObject({ uid: 0, gid: 0 });
    expect(ownerAndMode(join(root, 'app/public'))).toMatchObject({ uid: 0, gid: 0 });
    expect(ownerAndMode(paths.logs)).toMatchObject(own);
    expect(ownerAndMode(paths.existing)).toEqual({ ...own, mode: '700' });
    const shared = { uid: user.uid, gid: user.extraGid };
    expect(ownerAndMode(paths.shared)).toEqual({ ...shared, mode: '2770' });
    expect(ownerAndMode(join(paths.shared, 'sub'))).toEqual({ ...shared, mode: '2770' });
    expect(ownerAndMode(join(paths.shared, 'sub/deep'))).toEqual({ ...shared, mode: '2770' });
    // Files get the mode without execute, unless they were executable (chmod's X).
    expect(ownerAndMode(join(paths.shared, 'sub/deep/file.txt'))).toEqual({ ...shared, mode: '660' });
    expect(ownerAndMode(join(paths.shared, 'run.sh'))).toEqual({ ...shared, mode: '770' });
    const link = lstatSync(join(paths.shared, 'link-out'));
    expect({ uid: link.uid, gid: link.gid }).toEqual(shared);
    expect(ownerAndMode(paths.outside)).toEqual({ uid: 0, gid: 0, mode: '600' });
    // The user's process could write into both directories it was given.
    expect(statSync(join(paths.uploads, 'by-user')).uid).toBe(user.uid);
    expect(statSync(join(paths.logs, 'by-user')).uid).toBe(user.uid);
  });
});
