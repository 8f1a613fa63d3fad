/** The public API of src/config: what the CLI and the runtime call. */
export { formatDuration, parseDuration } from './duration.js';
export { parseEnvFile } from './env-file.js';
export { type LoadContext, loadConfig, loadHealthTarget } from './load-config.js';
export { CONFIG_FILE_NAMES, type ConfigFile, parseConfigFile } from './load-config-file.js';
export { type ProcfileEntry, parseProcfile } from './procfile.js';
export { configForDisplay, renderConfig } from './render-config.js';
export { type ResolveInput, type ResolveResult, resolveConfig } from './resolve.js';
export type * from './resolved-config.js';
export { type ConfigFileData, configSchema, schemaAsJson } from './schema.js';
export { execText, isSimpleCommand, shellArgv } from './shell-command.js';
