/** procinit's version, as `--version` and the health body report it. Kept in step with package.json by a test. */
export const VERSION = '0.1.0';
