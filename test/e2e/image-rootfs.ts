/**
 * Lays out the final stage of Dockerfile.example as a directory tree (a "rootfs"), by carrying
 * out its COPY, WORKDIR, ENV and `RUN ln -s` instructions with the files the build would give
 * them: the repository's build context, dist/ as `npm run build` made it, and this node binary
 * for the node image's /usr/local/bin/node. The image's user is image-user.ts's.
 */
import { chownSync, cpSync, lstatSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import {
  copyOperands,
  type Dockerfile,
  dockerignoreMatcher,
  envPairs,
  execForm,
  finalStage,
  healthcheckCommand,
  type Instruction,
  stageNamed,
  workdirOf,
} from '../helpers/dockerfile.js';

/** Where the files that the final stage copies come from on this machine. */
export interface LayoutSources {
  repoRoot: string;
  /** The .dockerignore of the build context. */
  dockerignore: string;
  /** Stands for the node image's /usr/local/bin/node. */
  nodeBinary: string;
}

/** The final stage, laid out: where things are, and what the image's config says. */
export interface LaidOutImage {
  rootfs: string;
  /** The WORKDIR inside the rootfs. */
  workdir: string;
  env: Record<string, string>;
  user: string | undefined;
  entrypoint: string[];
  healthcheck: string[];
  /** `COPY --chown` targets, to give to the user once it exists. */
  chowns: { path: string; owner: string }[];
}

/** An image path (absolute, or relative to the WORKDIR) as a path inside the rootfs. */
const inRootfs = (rootfs: string, workdir: string, path: string) =>
  join(rootfs, posix.resolve(workdir, path));

/** The host file that a `COPY --from=STAGE` source stands for. */
function buildOutput(
  dockerfile: Dockerfile,
  copy: Instruction,
  source: string,
  sources: LayoutSources,
): string {
  const stage = stageNamed(dockerfile, copyOperands(copy).flags.from as string, finalStage(dockerfile));
  if (!stage) throw new Error(`line ${copy.line}: no stage ${copyOperands(copy).flags.from}`);
  if (source === '/usr/local/bin/node') return sources.nodeBinary;
  const rel = posix.relative(workdirOf(stage), source);
  if (rel.startsWith('..')) throw new Error(`line ${copy.line}: cannot tell where ${source} comes from`);
  return join(sources.repoRoot, rel);
}

/** COPY: a directory's contents into the destination, a file to it (or into it with a `/`). */
function copyInto(from: string, to: string, dest: string, filter: (src: string) => boolean): void {
  const target = statSync(from).isDirectory() || !dest.endsWith('/') ? to : join(to, posix.basename(from));
  mkdirSync(statSync(from).isDirectory() ? target : dirname(target), { recursive: true });
  cpSync(from, target, { recursive: true, filter });
}

function applyCopy(image: LaidOutImage, dockerfile: Dockerfile, copy: Instruction, sources: LayoutSources) {
  const { flags, sources: froms, dest } = copyOperands(copy);
  const ignored = dockerignoreMatcher(sources.dockerignore);
  const inContext = (src: string) => !ignored(relative(sources.repoRoot, src));
  const to = inRootfs(image.rootfs, image.workdir, dest);
  for (const source of froms) {
    const from =
      flags.from === undefined
        ? join(sources.repoRoot, source)
        : buildOutput(dockerfile, copy, source, sources);
    copyInto(from, to, dest, flags.from === undefined ? inContext : () => true);
  }
  if (flags.chown) image.chowns.push({ path: to, owner: flags.chown });
}

/** The `ln -s TARGET LINK` commands of a RUN; the rest of it (useradd…) is the caller's. */
function applySymlinks(image: LaidOutImage, run: Instruction): void {
  for (const match of run.args.matchAll(/\bln -sf? (\S+) (\S+)/g)) {
    const link = inRootfs(image.rootfs, image.workdir, match[2] as string);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(match[1] as string, link);
  }
}

/** Carries out the final stage's instructions into `rootfs`. */
export function layOutFinalStage(
  dockerfile: Dockerfile,
  rootfs: string,
  sources: LayoutSources,
): LaidOutImage {
  const image: LaidOutImage = {
    rootfs,
    workdir: '/',
    env: {},
    user: undefined,
    entrypoint: [],
    healthcheck: [],
    chowns: [],
  };
  for (const instruction of finalStage(dockerfile).instructions) {
    const { keyword, args } = instruction;
    if (keyword === 'COPY') applyCopy(image, dockerfile, instruction, sources);
    else if (keyword === 'RUN') applySymlinks(image, instruction);
    else if (keyword === 'ENV') Object.assign(image.env, envPairs(instruction));
    else if (keyword === 'USER') image.user = args;
    else if (keyword === 'ENTRYPOINT') image.entrypoint = execForm(args) ?? [];
    else if (keyword === 'HEALTHCHECK') image.healthcheck = healthcheckCommand(instruction).argv ?? [];
    else if (keyword === 'WORKDIR') {
      image.workdir = posix.resolve(image.workdir, args);
      mkdirSync(join(rootfs, image.workdir), { recursive: true });
    }
  }
  return image;
}

/** Every path in the tree, relative to it (links not followed). */
export function listTree(root: string, below = ''): string[] {
  return readdirSync(join(root, below)).flatMap((name) => {
    const path = join(below, name);
    return lstatSync(join(root, path)).isDirectory() ? [path, ...listTree(root, path)] : [path];
  });
}

/** Gives the `COPY --chown` targets to their owner, recursively, as Docker does. */
export function applyChowns(image: LaidOutImage, ids: { uid: number; gid: number }): void {
  for (const { path } of image.chowns) {
    chownSync(path, ids.uid, ids.gid);
    if (!statSync(path).isDirectory()) continue;
    for (const entry of listTree(path)) chownSync(join(path, entry), ids.uid, ids.gid);
  }
}
