/**
 * What Dockerfile.example must get right, as checks that return problems (empty: all good), so
 * that each can be shown to fail on a bad Dockerfile (test/unit/dockerfile-example.test.ts).
 */
import { posix } from 'node:path';
import {
  copyOperands,
  type Dockerfile,
  execForm,
  finalStage,
  healthcheckCommand,
  type Instruction,
  instructionsOf,
  type Stage,
  stageNamed,
  workdirOf,
} from './dockerfile.js';

/** What the checks may ask of the repository. */
export interface RepoView {
  /** Whether a path of the build context (relative to the repository) exists. */
  exists(path: string): boolean;
  /** Whether that path is a directory (COPY copies a directory's contents). */
  isDirectory(path: string): boolean;
  /** Whether the path is excluded from the build context by the .dockerignore. */
  ignored(path: string): boolean;
  /** Whether `npm run build` produced this path (relative): it exists after the build. */
  built(path: string): boolean;
}

/** Files the official node image has of its own (not made by any instruction). */
const NODE_IMAGE_FILES = ['/usr/local/bin/node'];

const at = (instruction: Instruction, problem: string) => `line ${instruction.line}: ${problem}`;

/** Every COPY/ADD of the build context names a path that exists and is not .dockerignored. */
export function checkContextSources(dockerfile: Dockerfile, repo: RepoView): string[] {
  const problems: string[] = [];
  for (const stage of dockerfile.stages) {
    for (const copy of stage.instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')) {
      const { flags, sources } = copyOperands(copy);
      if (flags.from !== undefined) continue;
      for (const source of sources) {
        const path = posix.normalize(source).replace(/\/$/, '');
        if (!repo.exists(path)) problems.push(at(copy, `${source} does not exist in the repository`));
        else if (repo.ignored(path)) problems.push(at(copy, `${source} is excluded by the .dockerignore`));
      }
    }
  }
  return problems;
}

/** Where a context COPY puts `source` in the stage: `dest` for a directory's contents. */
function placedAt(source: string, dest: string, workdir: string, repo: RepoView): string {
  const target = posix.resolve(workdir, dest);
  const name = posix.normalize(source).replace(/\/$/, '');
  return dest.endsWith('/') && !repo.isDirectory(name) ? posix.join(target, posix.basename(name)) : target;
}

/** Whether `stage` copies the absolute path `path` (or a directory above it) in from the context. */
function copiedIn(stage: Stage, path: string, repo: RepoView): boolean {
  const workdir = workdirOf(stage);
  return instructionsOf(stage, 'COPY').some((copy) => {
    const { flags, sources, dest } = copyOperands(copy);
    if (flags.from !== undefined) return false;
    return sources.some((source) => {
      const placed = placedAt(source, dest, workdir, repo);
      return path === placed || path.startsWith(`${placed}/`);
    });
  });
}

/** Why `source` is not something `stage` holds, or undefined when it is. */
function notProduced(stage: Stage, source: string, repo: RepoView): string | undefined {
  if (stage.base.startsWith('node:') && NODE_IMAGE_FILES.includes(source)) return undefined;
  const workdir = workdirOf(stage);
  const rel = posix.relative(workdir, posix.normalize(source)).replace(/\/$/, '');
  if (rel.startsWith('..') || posix.isAbsolute(rel)) {
    return `${source} is outside stage ${stage.name ?? stage.index}'s WORKDIR ${workdir} and not a file of its base image`;
  }
  if (copiedIn(stage, posix.join(workdir, rel), repo)) return undefined;
  const builds = instructionsOf(stage, 'RUN').some((run) => /\bnpm run build\b/.test(run.args));
  if (!builds) return `stage ${stage.name ?? stage.index} never runs npm run build, so ${source} is not made`;
  if (!repo.built(rel)) return `${source}: npm run build does not produce ${rel}`;
  return undefined;
}

/** Every `COPY --from=STAGE` names an earlier stage and a path that stage copied in or built. */
export function checkStageSources(dockerfile: Dockerfile, repo: RepoView): string[] {
  const problems: string[] = [];
  for (const stage of dockerfile.stages) {
    for (const copy of instructionsOf(stage, 'COPY')) {
      const { flags, sources } = copyOperands(copy);
      if (flags.from === undefined) continue;
      const from = stageNamed(dockerfile, flags.from, stage);
      if (!from) {
        problems.push(at(copy, `--from=${flags.from} names no earlier stage`));
        continue;
      }
      for (const source of sources) {
        const problem = notProduced(from, source, repo);
        if (problem) problems.push(at(copy, problem));
      }
    }
  }
  return problems;
}

/** The command is procinit itself (`procinit`, or a path ending in /procinit). */
const isProcinit = (program: string | undefined) =>
  program === 'procinit' || !!program?.endsWith('/procinit');

/** The final stage's ENTRYPOINT is the exec form of procinit, so procinit is PID 1. */
export function checkEntrypoint(dockerfile: Dockerfile): string[] {
  const entrypoint = instructionsOf(finalStage(dockerfile), 'ENTRYPOINT').at(-1);
  if (!entrypoint) return ['the final stage has no ENTRYPOINT'];
  const argv = execForm(entrypoint.args);
  if (!argv) return [at(entrypoint, 'ENTRYPOINT is not in exec form (a JSON array): /bin/sh would be PID 1')];
  return isProcinit(argv[0]) ? [] : [at(entrypoint, `ENTRYPOINT runs ${argv[0]}, not procinit`)];
}

/** The final stage's HEALTHCHECK is the exec form of `procinit healthcheck` (no curl needed). */
export function checkHealthcheck(dockerfile: Dockerfile): string[] {
  const healthcheck = instructionsOf(finalStage(dockerfile), 'HEALTHCHECK').at(-1);
  if (!healthcheck) return ['the final stage has no HEALTHCHECK'];
  const { argv, none } = healthcheckCommand(healthcheck);
  if (none) return [at(healthcheck, 'HEALTHCHECK NONE turns the health check off')];
  if (!argv) return [at(healthcheck, 'HEALTHCHECK CMD is not in exec form (a JSON array)')];
  if (!isProcinit(argv[0]) || argv[1] !== 'healthcheck') {
    return [at(healthcheck, `HEALTHCHECK runs ${argv.join(' ')}, not procinit healthcheck`)];
  }
  return [];
}

/** The final stage sets a USER that is not root. */
export function checkNonRootUser(dockerfile: Dockerfile): string[] {
  const user = instructionsOf(finalStage(dockerfile), 'USER').at(-1);
  if (!user) return ['the final stage sets no USER: the container runs as root'];
  const name = user.args.split(':')[0];
  return name === 'root' || name === '0' ? [at(user, `USER ${user.args} is root`)] : [];
}

/** The final stage takes nothing from node_modules and makes no directory by hand. */
export function checkFinalStageContents(dockerfile: Dockerfile): string[] {
  const problems: string[] = [];
  for (const instruction of finalStage(dockerfile).instructions) {
    if (/^(COPY|ADD)$/.test(instruction.keyword) && instruction.args.includes('node_modules')) {
      problems.push(at(instruction, 'the final stage copies from node_modules: the bundle needs none'));
    }
    if (instruction.keyword === 'RUN' && /\bmkdir\b/.test(instruction.args)) {
      problems.push(at(instruction, "RUN mkdir: the app's directories are procinit.yaml's preflight.dirs"));
    }
  }
  return problems;
}

/** Every check, in the order a reader would look. */
export function checkDockerfile(dockerfile: Dockerfile, repo: RepoView): string[] {
  return [
    ...checkContextSources(dockerfile, repo),
    ...checkStageSources(dockerfile, repo),
    ...checkEntrypoint(dockerfile),
    ...checkHealthcheck(dockerfile),
    ...checkNonRootUser(dockerfile),
    ...checkFinalStageContents(dockerfile),
  ];
}
