// The Node floor: the least a Node supervisor does. It spawns COUNT copies of a program, each
// in its own session and process group with its output piped back (as procinit does), carries
// that output to its own stdout/stderr, and on SIGTERM passes SIGTERM on and exits once all
// children have. With --respawn it starts a child again the moment it exits; with --shell it
// runs the program through `/bin/sh -c 'exec …'`, as procinit runs a Procfile line.
//
//   node node-parent.cjs [--respawn] [--shell] COUNT PROGRAM [ARGS...]
//
// CommonJS and no imports beyond node:child_process, so its start-up is Node's own.
'use strict';
const { spawn } = require('node:child_process');

const args = process.argv.slice(2);
const respawn = takeFlag('--respawn');
const shell = takeFlag('--shell');
const count = Number(args.shift());
const argv = shell ? ['/bin/sh', '-c', `exec ${args.map(quote).join(' ')}`] : args;
const children = new Set();
let stopping = false;

function takeFlag(flag) {
  const index = args.indexOf(flag);
  if (index >= 0) args.splice(index, 1);
  return index >= 0;
}

function quote(word) {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

function start() {
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.stdout.on('data', (chunk) => process.stdout.write(chunk));
  child.stderr.on('data', (chunk) => process.stderr.write(chunk));
  child.on('exit', () => {
    children.delete(child);
    if (!stopping && respawn) start();
    else if (stopping && children.size === 0) process.exit(0);
  });
}

process.on('SIGTERM', () => {
  stopping = true;
  if (children.size === 0) process.exit(0);
  for (const child of children) child.kill('SIGTERM');
});
for (let i = 0; i < count; i++) start();
