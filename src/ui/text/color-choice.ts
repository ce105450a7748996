/**
 * Whether the screens may use colour. Pure: takes the environment and the
 * `--color` / `--no-color` flag instead of reading the process.
 */

/** The environment variables {@link colorEnabled} reads. */
export type ColorEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * True when colour may be used: a `--color` or `--no-color` flag decides
 * (`flag` true or false); without one, `NO_COLOR` set to a non-empty value
 * turns colour off (https://no-color.org: a command-line flag overrides it).
 * Bold, dim, inverse and underline are not colour and stay either way.
 */
export function colorEnabled(env: ColorEnvironment, flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  const noColor = env.NO_COLOR;
  return noColor === undefined || noColor === '';
}
