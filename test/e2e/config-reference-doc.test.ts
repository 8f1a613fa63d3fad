import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROCINIT_BIN, REPO_ROOT } from '../helpers/procinit.js';

// docs/config-reference.md is generated from `procinit schema` (scripts/gen-config-reference.mjs)
// and committed. These tests fail when a schema change was not followed by
// `npm run docs:reference`, so the reference cannot drift from what procinit accepts.

const GENERATOR = join(REPO_ROOT, 'scripts/gen-config-reference.mjs');
const REFERENCE = join(REPO_ROOT, 'docs/config-reference.md');
const tempDirs: string[] = [];

function generate(...args: string[]) {
  return spawnSync(process.execPath, [GENERATOR, ...args], { encoding: 'utf8' });
}

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
}

/** Every key path of the schema, written as the reference writes them: `a.b[].c`, `processes.<name>.x`. */
function keyPaths(node: SchemaNode, path: string): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([name, child]) => {
    const own = path ? `${path}.${name}` : name;
    const entry = typeof child.additionalProperties === 'object' ? child.additionalProperties : undefined;
    const below = child.items?.properties
      ? keyPaths(child.items, `${own}[]`)
      : entry?.properties
        ? keyPaths(entry, `${own}.<name>`)
        : keyPaths(child, own);
    return [own, ...below];
  });
}

describe('docs/config-reference.md', () => {
  afterAll(() => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('is what `procinit schema` generates today (else: npm run docs:reference)', () => {
    const check = generate('--check');
    expect(check.status, check.stderr).toBe(0);
  });

  it('names every key of the schema', () => {
    const schema = spawnSync(process.execPath, [PROCINIT_BIN, 'schema'], { encoding: 'utf8' });
    const reference = readFileSync(REFERENCE, 'utf8');
    const paths = keyPaths(JSON.parse(schema.stdout) as SchemaNode, '');
    expect(paths.length).toBeGreaterThan(50);
    expect(paths.filter((path) => !reference.includes(`\`${path}\``))).toEqual([]);
  });

  it('the check fails on a reference that is out of date', () => {
    const dir = mkdtempSync(join(tmpdir(), 'procinit-reference-'));
    tempDirs.push(dir);
    const stale = join(dir, 'config-reference.md');
    writeFileSync(stale, readFileSync(REFERENCE, 'utf8').replace(/^\| `health\.port` .*\n/m, ''));
    const check = generate('--check', '--out', stale);
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/is out of date with `procinit schema`: run npm run docs:reference/);
  });
});
