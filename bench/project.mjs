// A procinit project for one benchmark: a temporary directory with a Procfile and a
// procinit.yaml, the way a container image has them in its working directory.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from './lib.mjs';

/** Quotes a word for /bin/sh when it needs it (procinit runs Procfile commands through sh). */
export const shellWord = (word) =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;

/**
 * Writes `Procfile` (one line per entry of `processes`, name → argv) and, when there are
 * `config` lines, `procinit.yaml` into a fresh directory under `base`; returns the directory.
 * No config, no file: procinit loads its YAML and schema code only when a config file exists,
 * and a benchmark without settings measures the common case, a bare Procfile.
 */
export function makeProject(prefix, { processes, config = [] }, base) {
  const dir = makeTempDir(prefix, base);
  const procfile = Object.entries(processes).map(
    ([name, argv]) => `${name}: ${argv.map(shellWord).join(' ')}\n`,
  );
  writeFileSync(join(dir, 'Procfile'), procfile.join(''));
  if (config.length > 0)
    writeFileSync(join(dir, 'procinit.yaml'), config.map((line) => `${line}\n`).join(''));
  return dir;
}
