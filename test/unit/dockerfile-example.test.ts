import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  copyOperands,
  dockerignoreMatcher,
  envPairs,
  execForm,
  finalStage,
  healthcheckCommand,
  parseDockerfile,
  parseInstructions,
  splitFlags,
  workdirOf,
} from '../helpers/dockerfile.js';
import {
  checkContextSources,
  checkDockerfile,
  checkEntrypoint,
  checkFinalStageContents,
  checkHealthcheck,
  checkNonRootUser,
  checkStageSources,
  type RepoView,
} from '../helpers/dockerfile-checks.js';
import { REPO_ROOT } from '../helpers/procinit.js';

// Dockerfile.example is documentation that must keep working, though no Docker engine runs it
// here: its sources must exist, its --from sources must be what the build stage makes, procinit
// must be PID 1 and the health check in exec form, and the image must not run as root.
// test/e2e/image-python-example.test.ts runs the final stage it describes.

const DOCKERFILE = readFileSync(join(REPO_ROOT, 'Dockerfile.example'), 'utf8');
const DOCKERIGNORE = readFileSync(join(REPO_ROOT, 'Dockerfile.example.dockerignore'), 'utf8');

const repo: RepoView = {
  exists: (path) => existsSync(join(REPO_ROOT, path)),
  isDirectory: (path) => statSync(join(REPO_ROOT, path), { throwIfNoEntry: false })?.isDirectory() ?? false,
  ignored: dockerignoreMatcher(DOCKERIGNORE),
  // npm test builds before vitest runs, so what the build makes is in dist/ now.
  built: (path) => path.startsWith('dist/') && existsSync(join(REPO_ROOT, path)),
};

/** Dockerfile.example with one change; fails if the text to change is not there. */
function edited(from: string, to: string): string {
  if (!DOCKERFILE.includes(from)) throw new Error(`Dockerfile.example no longer contains ${from}`);
  return DOCKERFILE.replace(from, to);
}

describe('Dockerfile.example', () => {
  it('was built against: dist/procinit.cjs exists (npm test runs npm run build first)', () => {
    expect(existsSync(join(REPO_ROOT, 'dist/procinit.cjs')), 'run npm run build first').toBe(true);
  });

  it('passes every check', () => {
    expect(checkDockerfile(parseDockerfile(DOCKERFILE), repo)).toEqual([]);
  });

  it('has a node build stage and a python final stage that runs procinit as app', () => {
    const dockerfile = parseDockerfile(DOCKERFILE);
    expect(dockerfile.stages.map((stage) => [stage.name, stage.base])).toEqual([
      ['build', 'node:20-bookworm-slim'],
      [undefined, 'python:3.12-slim-bookworm'],
    ]);
    const final = finalStage(dockerfile);
    expect(workdirOf(final)).toBe('/app');
    expect(final.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args)).toEqual(['app']);
    expect(final.instructions.filter((i) => i.keyword === 'ENTRYPOINT').map((i) => i.args)).toEqual([
      '["procinit"]',
    ]);
  });
});

describe('each Dockerfile check fails on a Dockerfile that breaks it', () => {
  it.each([
    ['a context source that does not exist', 'COPY src/ src/', 'COPY srcs/ src/', /srcs\/ does not exist/],
    [
      'a context source excluded by the .dockerignore',
      'COPY src/ src/',
      'COPY src/ src/\nCOPY dist/procinit.cjs ./',
      /dist\/procinit.cjs is excluded by the \.dockerignore/,
    ],
  ])('context sources: %s', (_what, from, to, problem) => {
    expect(checkContextSources(parseDockerfile(edited(from, to)), repo)).toEqual([
      expect.stringMatching(problem),
    ]);
  });

  it.each([
    [
      '--from names no stage',
      '--from=build /usr/local/bin/node',
      '--from=builder /usr/local/bin/node',
      /--from=builder names no earlier stage/,
    ],
    [
      'a file the build does not make',
      '/src/dist/procinit.cjs',
      '/src/dist/procinit.js',
      /npm run build does not produce dist\/procinit.js/,
    ],
    [
      "a file outside the WORKDIR, not the base image's",
      'build /usr/local/bin/node',
      'build /usr/local/bin/npx',
      /outside stage build's WORKDIR \/src/,
    ],
    [
      'a build stage without npm run build',
      'RUN npm run build\n',
      '\n',
      /stage build never runs npm run build/,
    ],
  ])('--from sources: %s', (_what, from, to, problem) => {
    const problems = checkStageSources(parseDockerfile(edited(from, to)), repo);
    expect(problems.length).toBeGreaterThan(0);
    expect(
      problems.every((found) => problem.test(found)),
      problems.join('\n'),
    ).toBe(true);
  });

  it.each([
    ['the shell form', 'ENTRYPOINT ["procinit"]', 'ENTRYPOINT procinit', /not in exec form/],
    ['another program', 'ENTRYPOINT ["procinit"]', 'ENTRYPOINT ["tini", "--"]', /runs tini, not procinit/],
    ['none at all', 'ENTRYPOINT ["procinit"]', '', /has no ENTRYPOINT/],
  ])('ENTRYPOINT: %s', (_what, from, to, problem) => {
    expect(checkEntrypoint(parseDockerfile(edited(from, to)))).toEqual([expect.stringMatching(problem)]);
  });

  it.each([
    ['the shell form', 'CMD ["procinit", "healthcheck"]', 'CMD procinit healthcheck', /not in exec form/],
    [
      'curl',
      'CMD ["procinit", "healthcheck"]',
      'CMD ["curl", "-f", "localhost:8099/health"]',
      /runs curl -f/,
    ],
    [
      'procinit, but not healthcheck',
      'CMD ["procinit", "healthcheck"]',
      'CMD ["procinit", "status"]',
      /not procinit healthcheck/,
    ],
    ['NONE', '--retries=3 \\\n  CMD ["procinit", "healthcheck"]', 'NONE', /turns the health check off/],
  ])('HEALTHCHECK: %s', (_what, from, to, problem) => {
    expect(checkHealthcheck(parseDockerfile(edited(from, to)))).toEqual([expect.stringMatching(problem)]);
  });

  it.each([
    ['no USER', 'USER app\n', '\n', /sets no USER/],
    ['USER root', 'USER app\n', 'USER root\n', /USER root is root/],
    ['USER 0:0', 'USER app\n', 'USER 0:0\n', /USER 0:0 is root/],
  ])('USER: %s', (_what, from, to, problem) => {
    expect(checkNonRootUser(parseDockerfile(edited(from, to)))).toEqual([expect.stringMatching(problem)]);
  });

  it.each([
    [
      'node_modules copied in',
      'WORKDIR /app\n',
      'WORKDIR /app\nCOPY --from=build /src/node_modules /usr/local/lib/node_modules\n',
      /copies from node_modules/,
    ],
    ['a directory made by hand', 'WORKDIR /app\n', 'WORKDIR /app\nRUN mkdir -p data/uploads\n', /RUN mkdir/],
  ])('final stage: %s', (_what, from, to, problem) => {
    expect(checkFinalStageContents(parseDockerfile(edited(from, to)))).toEqual([
      expect.stringMatching(problem),
    ]);
  });

  it('the USER check looks at the final stage, not the build stage', () => {
    const dockerfile = parseDockerfile(
      'FROM node AS build\nUSER node\nFROM python\nENTRYPOINT ["procinit"]\n',
    );
    expect(checkNonRootUser(dockerfile)).toEqual([
      'the final stage sets no USER: the container runs as root',
    ]);
  });
});

describe('the Dockerfile parser', () => {
  it('joins continuation lines, skipping comments and blank lines inside them, and keeps line numbers', () => {
    const text =
      '# syntax=docker/dockerfile:1\nFROM a AS b\n\nRUN one \\\n  # a comment\n\n  && two\nUSER x\n';
    expect(parseInstructions(text)).toEqual([
      { keyword: 'FROM', args: 'a AS b', line: 2 },
      { keyword: 'RUN', args: 'one && two', line: 4 },
      { keyword: 'USER', args: 'x', line: 8 },
    ]);
  });

  it('splits stages at FROM, with ARGs before the first one as the preamble', () => {
    const parsed = parseDockerfile(
      'ARG V=1\nFROM --platform=$BUILDPLATFORM node:$V AS build\nRUN x\nFROM build\nRUN y\n',
    );
    expect(parsed.preamble.map((i) => i.args)).toEqual(['V=1']);
    expect(parsed.stages.map((s) => [s.index, s.name, s.base, s.instructions.length])).toEqual([
      [0, 'build', 'node:$V', 1],
      [1, undefined, 'build', 1],
    ]);
  });

  it('reads flags, exec forms, COPY operands, HEALTHCHECK and ENV', () => {
    expect(splitFlags('--from=build --link a b')).toEqual({
      flags: { from: 'build', link: 'true' },
      rest: 'a b',
    });
    expect(execForm('["procinit", "--"]')).toEqual(['procinit', '--']);
    expect(execForm('["procinit" "--"]')).toBeUndefined(); // invalid JSON: Docker runs it with a shell
    expect(execForm('procinit')).toBeUndefined();
    const copy = parseInstructions('COPY --chown=app:app ["a b", "c", "/d/"]')[0]!;
    expect(copyOperands(copy)).toEqual({ flags: { chown: 'app:app' }, sources: ['a b', 'c'], dest: '/d/' });
    const healthcheck = parseInstructions('HEALTHCHECK --interval=5s CMD ["procinit", "healthcheck"]')[0]!;
    expect(healthcheckCommand(healthcheck)).toEqual({
      options: { interval: '5s' },
      argv: ['procinit', 'healthcheck'],
    });
    expect(envPairs(parseInstructions('ENV A=1 B="two words" C=')[0]!)).toEqual({
      A: '1',
      B: 'two words',
      C: '',
    });
    expect(envPairs(parseInstructions('ENV LEGACY some value')[0]!)).toEqual({ LEGACY: 'some value' });
  });

  it('refuses what it would misread: heredocs and the escape directive', () => {
    expect(() => parseInstructions('FROM a\nRUN <<EOF\necho\nEOF\n')).toThrow(/heredocs/);
    expect(() => parseInstructions('# escape=`\nFROM a\n')).toThrow(/escape directive/);
  });

  it('matches .dockerignore globs as Docker does: from the context root, directories with what is below', () => {
    const ignored = dockerignoreMatcher('# c\nnode_modules/\nexamples/*/data/\n**/__pycache__/\n*.log\n');
    expect(
      [
        'node_modules',
        'node_modules/x/y.js',
        'examples/demo/data/a.db',
        'a/b/__pycache__/c.pyc',
        'x.log',
      ].map(ignored),
    ).toEqual([true, true, true, true, true]);
    expect(['src/node_modules.ts', 'examples/demo/api.py', 'docs/x.log', 'dist'].map(ignored)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
