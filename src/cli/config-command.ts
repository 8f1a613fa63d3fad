import { loadConfig } from '../config/load-config.js';
import { renderConfig } from '../config/render-config.js';
import type { CliOptions } from '../config/resolved-config.js';

/** `procinit config`: the resolved configuration, every secret masked (SPEC §2.3). */
export function configCommand(cli: CliOptions): number {
  const config = loadConfig(cli, { environ: process.env, cwd: process.cwd(), stdoutIsTTY: false });
  process.stdout.write(renderConfig(config));
  return 0;
}
