import { loadConfig } from '../config/load-config.js';
import { configForDisplay } from '../config/render-config.js';
import type { CliOptions, ResolvedConfig } from '../config/resolved-config.js';

/** The resolved configuration as YAML, every secret masked. */
export async function renderConfig(config: ResolvedConfig): Promise<string> {
  // yaml is loaded here only: `run` logs the same data as JSON and never needs it.
  const { stringify } = await import('yaml');
  return stringify(configForDisplay(config), { lineWidth: 0 });
}

/** `procinit config`: the resolved configuration, every secret masked (SPEC §2.3). */
export async function configCommand(cli: CliOptions): Promise<number> {
  const config = await loadConfig(cli, { environ: process.env, cwd: process.cwd(), stdoutIsTTY: false });
  process.stdout.write(await renderConfig(config));
  return 0;
}
