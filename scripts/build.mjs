#!/usr/bin/env node
/**
 * Builds dist/procinit.mjs, the file an image needs (after tsc has checked the code and emitted
 * dist/ for the test harnesses): procinit and its dependencies bundled by esbuild, runnable with
 * only the `node` binary. Beside it ride koffi's native module for Linux
 * (dist/build/koffi/<triplet>/koffi.node, where koffi looks relative to the bundle) and, as an
 * optional speed-up, V8's code cache for the bundle (dist/procinit.mjs.cache).
 *
 * Why the bundle is a string inside a small loader: Node 20 has no module compile cache, and
 * parsing and compiling 1.2 MB of JavaScript is most of procinit's start-up. The loader compiles
 * the bundle with vm.Script and the cached data, so V8 skips that work; without the cache file,
 * or with a cache from another node binary (V8 rejects it), it simply compiles as usual.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const outfile = join(dist, 'procinit.mjs');
const cacheFile = `${outfile}.cache`;
// An image runs on one of these; the others (darwin, win32, bsd) would only add megabytes.
const NATIVE_TRIPLETS = ['linux_x64', 'linux_arm64', 'musl_x64', 'musl_arm64'];

/** procinit as one CommonJS script: vm.Script compiles scripts, not modules. */
async function bundle() {
  const result = await build({
    entryPoints: [join(root, 'src/bin.ts')],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20.19',
    // koffi requires its `.node` files by relative path; they stay files beside the bundle.
    external: ['*.node'],
    minifySyntax: true,
    minifyWhitespace: true,
    logLevel: 'warning',
  });
  return result.outputFiles[0].text;
}

/**
 * The loader around the bundle. `require` resolves from this file's real path, so koffi finds
 * build/koffi/… beside it even when reached through a symlink such as /usr/local/bin/procinit.
 * PROCINIT_WRITE_CODE_CACHE is for this build script only: it writes the cache at exit, after a
 * real run has compiled the functions a start-up needs.
 */
function loader(source) {
  return `#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
const filename = fileURLToPath(import.meta.url);
let cachedData;
try { cachedData = readFileSync(filename + '.cache'); } catch {}
const script = new Script(${JSON.stringify(`(function (exports, require, module, __filename, __dirname) {${source}\n})`)}, { filename, cachedData });
const cacheOut = process.env.PROCINIT_WRITE_CODE_CACHE;
if (cacheOut) { delete process.env.PROCINIT_WRITE_CODE_CACHE; process.once('exit', () => writeFileSync(cacheOut, script.createCachedData())); }
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(filename), module, filename, fileURLToPath(new URL('.', import.meta.url)));
`;
}

/** Runs one real (tiny) supervision so the cache holds what a start compiles. */
function writeCodeCache() {
  rmSync(cacheFile, { force: true });
  const run = spawnSync(process.execPath, [outfile, '--health-port', '0', '-q', '--', 'true'], {
    env: { ...process.env, PROCINIT_WRITE_CODE_CACHE: cacheFile },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`the code-cache run of ${outfile} exited ${run.status}`);
}

function copyNativeModules() {
  const koffiBuild = join(root, 'node_modules/koffi/build/koffi');
  for (const triplet of NATIVE_TRIPLETS) {
    const target = join(dist, 'build/koffi', triplet);
    mkdirSync(target, { recursive: true });
    cpSync(join(koffiBuild, triplet, 'koffi.node'), join(target, 'koffi.node'));
  }
}

mkdirSync(dist, { recursive: true });
writeFileSync(outfile, loader(await bundle()));
chmodSync(outfile, 0o755);
copyNativeModules();
writeCodeCache();
const kib = (file) => Math.round(statSync(file).size / 1024);
console.log(
  `dist/procinit.mjs ${kib(outfile)} KiB, its code cache ${kib(cacheFile)} KiB, ` +
    `koffi.node ${kib(join(dist, 'build/koffi/linux_x64/koffi.node'))} KiB per platform`,
);
