/** A setting that is missing or wrong: the server stops with this one-line message, which names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
