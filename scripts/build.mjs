#!/usr/bin/env node
// Builds dist/procinit.mjs (after tsc has checked and emitted dist/ for the test harnesses): procinit and its dependencies in one ESM file, runnable with only
// the `node` binary, plus koffi's native module for Linux beside it (dist/build/koffi/<triplet>/),
// where koffi's own loader looks for it relative to the bundle.
import { chmodSync, cpSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const outfile = join(dist, 'procinit.mjs');
// An image runs on one of these; the others (darwin, win32, bsd) would only add megabytes.
const NATIVE_TRIPLETS = ['linux_x64', 'linux_arm64', 'musl_x64', 'musl_arm64'];

await build({
  entryPoints: [join(root, 'src/bin.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  // koffi requires its `.node` files by relative path; they stay files beside the bundle.
  external: ['*.node'],
  // The CommonJS dependencies (pino, commander, koffi) call require(); ESM has none of its own.
  banner: {
    js: [
      '#!/usr/bin/env node',
      "import { createRequire as __procinitCreateRequire } from 'node:module';",
      'const require = __procinitCreateRequire(import.meta.url);',
    ].join('\n'),
  },
  minifySyntax: true,
  minifyWhitespace: true,
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);

const koffiBuild = join(root, 'node_modules/koffi/build/koffi');
for (const triplet of NATIVE_TRIPLETS) {
  const target = join(dist, 'build/koffi', triplet);
  mkdirSync(target, { recursive: true });
  cpSync(join(koffiBuild, triplet, 'koffi.node'), join(target, 'koffi.node'));
}
const kib = (file) => Math.round(statSync(file).size / 1024);
console.log(
  `dist/procinit.mjs ${kib(outfile)} KiB; koffi.node ${kib(join(dist, 'build/koffi/linux_x64/koffi.node'))} KiB per platform`,
);
