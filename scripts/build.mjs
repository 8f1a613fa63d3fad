#!/usr/bin/env node
/**
 * Builds what an image needs (after tsc has checked the code and emitted dist/ for the test
 * harnesses): dist/procinit-bundle.js, procinit and its dependencies bundled by esbuild, the side
 * scripts of libraries it loads only when needed (SIDE_SCRIPTS), and dist/procinit.cjs, the small
 * loader that runs them (package.json's bin), runnable with only the `node` binary. Beside them
 * ride koffi's native module for Linux (dist/build/koffi/<triplet>/koffi.node) and, as an
 * optional speed-up, V8's code cache of each script (`<script>.cache`).
 *
 * Why a loader: Node 20 has no module compile cache, and parsing and compiling the bundle's
 * JavaScript would be most of procinit's start-up. The loader compiles the bundle with vm.Script and
 * the cached data, so V8 skips that work; without the cache file, or with a cache from another
 * node binary (V8 rejects it), it simply compiles as usual.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const loaderFile = join(dist, 'procinit.cjs');
const bundleFile = join(dist, 'procinit-bundle.js');

/**
 * Libraries kept out of the main bundle, each group in a script of its own (with its own code
 * cache) that the loader runs at first use: a run without procinit.yaml never reads, compiles or
 * holds YAML and zod, one that is never scraped never holds prom-client. `exports` maps each
 * import specifier our code uses to the name the side script exports it under; only libraries
 * (no procinit module) go here, so no module of ours ever exists twice.
 */
const SIDE_SCRIPTS = [
  {
    file: 'procinit-config-libs.js',
    exports: { yaml: 'yaml', [join(root, 'src/config/zod.ts')]: 'zod' },
  },
  { file: 'procinit-metrics-libs.js', exports: { 'prom-client': 'promClient' } },
];
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

/** How every script is built: CommonJS (vm.Script compiles scripts, not modules), minified. */
const COMMON = {
  bundle: true,
  write: false,
  platform: 'node',
  format: 'cjs',
  target: 'node20.19',
  // koffi requires its `.node` files by relative path; they stay files beside the bundle.
  external: ['*.node'],
  // The loader reads scripts as Latin-1, the cheapest string V8 has: they must be ASCII.
  charset: 'ascii',
  minifySyntax: true,
  // Names too: 0.8 MiB less heap and ~1.5 ms off each start. Stack traces (-v) were
  // already one minified line; error messages never carry identifiers.
  // PROCINIT_BUILD_NAMES=1 keeps them, for reading a CPU profile (node --cpu-prof).
  minifyIdentifiers: process.env.PROCINIT_BUILD_NAMES !== '1',
  minifyWhitespace: true,
  logLevel: 'warning',
};

/** In the main bundle, an import of a side script's library becomes a require of that script. */
const sideScripts = {
  name: 'side-scripts',
  setup(build) {
    const bySpecifier = new Map();
    for (const side of SIDE_SCRIPTS) {
      for (const [specifier, name] of Object.entries(side.exports))
        bySpecifier.set(specifier, { side, name });
    }
    build.onResolve({ filter: /./ }, (args) => {
      const key = args.path.startsWith('.')
        ? join(args.resolveDir, args.path.replace(/\.js$/, '.ts'))
        : args.path;
      const found = bySpecifier.get(key);
      return found ? { path: key, namespace: 'side-script', pluginData: found } : undefined;
    });
    build.onLoad({ filter: /./, namespace: 'side-script' }, (args) => {
      const { side, name } = args.pluginData;
      return { contents: `module.exports = require("./${side.file}").${name};`, loader: 'js' };
    });
    build.onResolve({ filter: /^\.\/procinit-[a-z-]+\.js$/ }, (args) => ({
      path: args.path,
      external: true,
    }));
  },
};

async function text(options) {
  return (await build({ ...COMMON, ...options })).outputFiles[0].text;
}

/** procinit: src/bin.ts and everything it imports, but the side scripts' libraries. */
function bundle() {
  return text({ entryPoints: [join(root, 'src/bin.ts')], plugins: [lazyKoffiInstaller, sideScripts] });
}

/** One side script: its libraries, each exported as a namespace under its name. */
function sideScript(side) {
  const lines = Object.entries(side.exports).map(
    ([specifier, name]) => `export * as ${name} from ${JSON.stringify(specifier)};`,
  );
  return text({ stdin: { contents: lines.join('\n'), resolveDir: root, loader: 'js' } });
}

/**
 * The loader, dist/procinit.cjs: CommonJS, because an ES module entry costs Node 20 its ESM
 * loader (about 4 ms a start). It runs the bundle, and a side script when the bundle first
 * requires it, each read as Latin-1 (esbuild's output is ASCII, so the only copy in memory is the
 * compiled script's source) and compiled with vm.Script and its code cache. koffi's native module
 * (build/koffi/…/koffi.node) is opened directly from the loader's real directory, so it is found
 * even through a symlink such as /usr/local/bin/procinit, without require's package.json lookups
 * (~0.5 ms); other requires (Node's built-in modules) go to Node's. PROCINIT_WRITE_CODE_CACHE=1
 * is for this build script only: at exit, each script's cache is written beside it, after a real
 * run has compiled the functions a run needs.
 */
const LOADER = `#!/usr/bin/env node
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');
const writeCaches = process.env.PROCINIT_WRITE_CODE_CACHE === '1';
delete process.env.PROCINIT_WRITE_CODE_CACHE;
const compiled = [];
const sideScripts = new Map();
function run(name) {
  const file = join(__dirname, name);
  let cachedData;
  try { cachedData = readFileSync(file + '.cache'); } catch {}
  const script = new Script(readFileSync(file, 'latin1'), { filename: file, cachedData });
  if (writeCaches) compiled.push([file, script]);
  const module = { exports: {} };
  script.runInThisContext()(module.exports, load, module, file, __dirname);
  return module.exports;
}
function load(id) {
  if (id.endsWith('.node')) {
    const addon = { exports: {} };
    process.dlopen(addon, join(__dirname, id));
    return addon.exports;
  }
  if (!/^\\.\\/procinit-[a-z-]+\\.js$/.test(id)) return require(id);
  if (!sideScripts.has(id)) sideScripts.set(id, run(id.slice(2)));
  return sideScripts.get(id);
}
if (writeCaches) process.once('exit', () => { for (const [file, script] of compiled) writeFileSync(file + '.cache', script.createCachedData()); });
run(${JSON.stringify(basename(bundleFile))});
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
function writeCodeCaches() {
  const project = mkdtempSync(join(tmpdir(), 'procinit-code-cache-'));
  try {
    writeFileSync(
      join(project, 'Procfile'),
      'web: echo listening; kill -TERM $PPID; exec sleep 30\nworker: sleep 30\n',
    );
    // A procinit.yaml too: most projects have one, and YAML and the schema are a lot to compile.
    writeFileSync(
      join(project, 'procinit.yaml'),
      'processes:\n  worker: { restart: on-failure, stop_timeout: 5s }\n',
    );
    const run = spawnSync(process.execPath, [loaderFile, '--health-port', '0'], {
      cwd: project,
      env: { ...process.env, PROCINIT_WRITE_CODE_CACHE: '1' },
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
for (const name of readdirSync(dist)) {
  if (/^procinit[.-]/.test(name)) rmSync(join(dist, name), { force: true });
}
writeFileSync(bundleFile, wrapped(await bundle()));
for (const side of SIDE_SCRIPTS) writeFileSync(join(dist, side.file), wrapped(await sideScript(side)));
writeFileSync(loaderFile, LOADER);
chmodSync(loaderFile, 0o755);
copyNativeModules();
writeCodeCaches();
const kib = (file) => `${Math.round(statSync(join(dist, file)).size / 1024)} KiB`;
const sizes = (file) =>
  `${file} ${kib(file)}${existsSync(join(dist, `${file}.cache`)) ? ` (cache ${kib(`${file}.cache`)})` : ''}`;
console.log(
  [basename(bundleFile), ...SIDE_SCRIPTS.map((side) => side.file)].map(sizes).join(', ') +
    `; koffi.node ${kib('build/koffi/linux_x64/koffi.node')} per platform`,
);
