#!/usr/bin/env node
/**
 * Builds what an image needs (after tsc has checked the code and emitted dist/ for the test
 * harnesses): dist/procinit-bundle.js, procinit and its dependencies bundled by esbuild, and
 * dist/procinit.cjs, the small loader that runs it (package.json's bin), runnable with only the
 * `node` binary. Beside them ride koffi's native module for Linux
 * (dist/build/koffi/<triplet>/koffi.node, where koffi looks relative to the loader) and, as an
 * optional speed-up, V8's code cache for the bundle (dist/procinit-bundle.js.cache).
 *
 * Why a loader: Node 20 has no module compile cache, and parsing and compiling 1.2 MB of
 * JavaScript is most of procinit's start-up. The loader compiles the bundle with vm.Script and
 * the cached data, so V8 skips that work; without the cache file, or with a cache from another
 * node binary (V8 rejects it), it simply compiles as usual.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const loaderFile = join(dist, 'procinit.cjs');
const bundleFile = join(dist, 'procinit-bundle.js');
const cacheFile = `${bundleFile}.cache`;
// An image runs on one of these; the others (darwin, win32, bsd) would only add megabytes.
const NATIVE_TRIPLETS = ['linux_x64', 'linux_arm64', 'musl_x64', 'musl_arm64'];

/**
 * koffi's index.js carries its installer (download, checksum, untar), which loads crypto, https
 * and zlib the moment koffi is required: about 30 of Node's internal modules that procinit never
 * runs. Those three become proxies that load the module on first use, so a start does not pay
 * for them. The build fails if koffi's code no longer has these lines, rather than silently
 * losing the saving.
 */
const lazyKoffiInstaller = {
  name: 'lazy-koffi-installer',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]koffi[\\/]index\.js$/ }, async (args) => {
      let text = await readFile(args.path, 'utf8');
      for (const name of ['crypto', 'https', 'zlib']) {
        const eager = `require("${name}")`;
        if (!text.includes(eager))
          throw new Error(`${args.path} no longer has ${eager}: update lazyKoffiInstaller`);
        text = text.replace(eager, `new Proxy({}, { get: (_, key) => require("${name}")[key] })`);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

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
    // The loader reads the bundle as Latin-1, the cheapest string V8 has: it must be ASCII.
    charset: 'ascii',
    minifySyntax: true,
    // Names too: 0.8 MiB less heap and ~1.5 ms off each start. Stack traces (-v) were
    // already one minified line; error messages never carry identifiers.
    // PROCINIT_BUILD_NAMES=1 keeps them, for reading a CPU profile (node --cpu-prof).
    minifyIdentifiers: process.env.PROCINIT_BUILD_NAMES !== '1',
    minifyWhitespace: true,
    logLevel: 'warning',
    plugins: [lazyKoffiInstaller],
  });
  return result.outputFiles[0].text;
}

/**
 * The loader, dist/procinit.cjs: CommonJS, because an ES module entry costs Node 20 its ESM
 * loader (about 4 ms a start). It reads the bundle as Latin-1 (esbuild's output is ASCII), so
 * the only copy of the bundle in memory is the compiled script's source; a string literal
 * inside the loader would keep two. `require` resolves from the loader's real path, so koffi
 * finds build/koffi/… beside it even through a symlink such as /usr/local/bin/procinit.
 * PROCINIT_WRITE_CODE_CACHE is for this build script only: it writes the cache at exit, after a
 * real run has compiled the functions a start-up needs.
 */
const LOADER = `#!/usr/bin/env node
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');
const bundle = join(__dirname, ${JSON.stringify(basename(bundleFile))});
let cachedData;
try { cachedData = readFileSync(bundle + '.cache'); } catch {}
const script = new Script(readFileSync(bundle, 'latin1'), { filename: bundle, cachedData });
cachedData = undefined;
const cacheOut = process.env.PROCINIT_WRITE_CODE_CACHE;
if (cacheOut) { delete process.env.PROCINIT_WRITE_CODE_CACHE; process.once('exit', () => writeFileSync(cacheOut, script.createCachedData())); }
const bundleModule = { exports: {} };
script.runInThisContext()(bundleModule.exports, require, bundleModule, bundle, __dirname);
`;

/** The bundle as the loader compiles it: a CommonJS module wrapped in its function. */
function wrapped(source) {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}

/**
 * Runs one real (tiny) supervision so the cache holds what a run compiles: start-up, a child's
 * output, and the SIGTERM shutdown a container stop goes through (compiled lazily, that path
 * would cost ~2 ms exactly when the children are exiting).
 */
function writeCodeCache() {
  rmSync(cacheFile, { force: true });
  const project = mkdtempSync(join(tmpdir(), 'procinit-code-cache-'));
  try {
    writeFileSync(
      join(project, 'Procfile'),
      'web: echo listening; kill -TERM $PPID; exec sleep 30\nworker: sleep 30\n',
    );
    const run = spawnSync(process.execPath, [loaderFile, '--health-port', '0'], {
      cwd: project,
      env: { ...process.env, PROCINIT_WRITE_CODE_CACHE: cacheFile },
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 20_000,
    });
    if (run.status !== 0) throw new Error(`the code-cache run of ${loaderFile} exited ${run.status}`);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
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
rmSync(join(dist, 'procinit.mjs'), { force: true });
rmSync(join(dist, 'procinit.mjs.cache'), { force: true });
writeFileSync(bundleFile, wrapped(await bundle()));
writeFileSync(loaderFile, LOADER);
chmodSync(loaderFile, 0o755);
copyNativeModules();
writeCodeCache();
const kib = (file) => Math.round(statSync(file).size / 1024);
console.log(
  `dist/procinit-bundle.js ${kib(bundleFile)} KiB, its code cache ${kib(cacheFile)} KiB, ` +
    `koffi.node ${kib(join(dist, 'build/koffi/linux_x64/koffi.node'))} KiB per platform`,
);
