import { main } from './cli/main.js';

// The bundle's entry point (scripts/build.mjs): the whole of procinit is this one call.
main(process.argv.slice(2));
