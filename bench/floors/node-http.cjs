// The Node floor of the health port: a bare node:http server answering every request with the
// same bytes (a /health body procinit served, read from a file), so the gap to procinit is what
// procinit does per request beyond what Node's HTTP server costs anyway.
//
//   node node-http.cjs PORT BODY_FILE      (listens on 127.0.0.1; prints `LISTENING` when it does)
'use strict';
const { readFileSync } = require('node:fs');
const http = require('node:http');

const [port, bodyFile] = process.argv.slice(2);
const body = readFileSync(bodyFile);
const headers = { 'content-type': 'application/json', 'content-length': body.length };

http
  .createServer((request, response) => {
    response.writeHead(200, headers);
    response.end(body);
  })
  .listen(Number(port), '127.0.0.1', () => process.stdout.write('LISTENING\n'));
process.on('SIGTERM', () => process.exit(0));
