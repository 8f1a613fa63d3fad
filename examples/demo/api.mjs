// A tiny HTTP API: binds to 0.0.0.0 (not 127.0.0.1), so it is reachable from outside a container.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8000);
const server = createServer((request, response) => {
  console.log(`${request.method} ${request.url}`);
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify({ hello: 'world', process: process.env.PROCINIT_PROCESS }));
});
server.listen(port, '0.0.0.0', () => console.log(`api listening on http://0.0.0.0:${port}`));

// procinit sends SIGTERM on `docker stop`, SIGINT on Ctrl-C: both mean "finish and go".
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    console.log(`api: ${signal} received, closing the server`);
    server.close(() => process.exit(0));
  });
}
