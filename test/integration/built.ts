import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../../', import.meta.url);

/**
 * Harnesses in test/fixtures import dist/: fails clearly when a module is missing or older
 * than its source, instead of testing stale code.
 */
export function assertFreshBuild(modules: readonly string[]): void {
  for (const name of modules) {
    const built = new URL(`dist/runtime/${name}.js`, root);
    const source = new URL(`src/runtime/${name}.ts`, root);
    let builtMs: number;
    try {
      builtMs = statSync(built).mtimeMs;
    } catch {
      throw new Error(`${fileURLToPath(built)} is missing: run \`npm run build\` first (npm test does)`);
    }
    if (builtMs < statSync(source).mtimeMs) {
      throw new Error(`${fileURLToPath(built)} is older than its source: run \`npm run build\` first`);
    }
  }
}

/** A file in test/fixtures, as a path. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`test/fixtures/${name}`, root));
}
