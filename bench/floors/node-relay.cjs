// The Node floor of output: the least a Node supervisor does to carry its children's output
// whole. It spawns COUNT copies of a program (`%i` in an argument becomes the copy's number,
// from 1), reads each one's stdout pipe, and writes whole lines to its own stdout with
// writeSync: each chunk up to its last newline, the rest kept for the next chunk, so lines are
// never cut or mixed; no prefix, no encoding. The gap between this and procinit is procinit's
// per-line work; the gap between this and the children writing the file themselves is Node's.
//
//   node node-relay.cjs COUNT PROGRAM [ARGS...]
'use strict';
const { spawn } = require('node:child_process');
const { writeSync } = require('node:fs');

const [count, program, ...args] = process.argv.slice(2);

function relay(child) {
  let rest = Buffer.alloc(0);
  child.stdout.on('data', (chunk) => {
    const data = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    const end = data.lastIndexOf(10) + 1;
    if (end > 0) writeAll(data.subarray(0, end));
    rest = data.subarray(end);
  });
  child.stdout.on('end', () => {
    if (rest.length > 0) writeAll(Buffer.concat([rest, Buffer.from('\n')]));
  });
}

function writeAll(buffer) {
  for (let offset = 0; offset < buffer.length; ) offset += writeSync(1, buffer, offset);
}

for (let i = 1; i <= Number(count); i++) {
  const argv = args.map((arg) => arg.replaceAll('%i', String(i)));
  relay(spawn(program, argv, { stdio: ['ignore', 'pipe', 'inherit'] }));
}
