// A background worker: takes a "job" every second, and crashes now and then so that procinit's
// restart with backoff shows in the log.
let job = 0;
const timer = setInterval(() => {
  job += 1;
  console.log(`worker ${process.env.PROCINIT_PROCESS}: finished job ${job}`);
  if (job % 5 === 0) {
    console.error(`worker: job ${job} hit a bug, exiting with code 1`);
    process.exit(1);
  }
}, 1000);

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    console.log(`worker: ${signal} received, finishing up`);
    clearInterval(timer);
  });
}
