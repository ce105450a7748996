/** Wraps a command so a failure becomes the exit code instead of an exception. */
export type Run = <A>(command: (args: A) => Promise<void>) => (args: A) => Promise<void>;

/**
 * The certs directory: --certs (or --dir), else $CHAT_CERTS_DIR, else the
 * team profile's (filled in by profile-options.ts after parsing).
 */
export const certsDirOption = {
  type: 'string',
  defaultDescription: "$CHAT_CERTS_DIR, else the team profile's",
  describe: 'the certs directory',
} as const;

/** The server's data directory (history, users): --data, else $CHAT_DATA, else the team profile's. */
export const dataDirOption = {
  type: 'string',
  defaultDescription: "$CHAT_DATA, else the team profile's",
  describe: "the server's data directory (history, users)",
} as const;

/** The default port of `chat serve`, and where clients look for it. */
export const DEFAULT_PORT = 8443;

interface EnvOption {
  type?: 'string' | 'number' | 'boolean' | undefined;
  /** The values accepted. */
  choices?: readonly string[] | undefined;
  /** Repeatable: from the environment, a comma-separated list. */
  array?: true | undefined;
  /** The variable to read instead of CHAT_<NAME>. */
  env?: string | undefined;
  default?: unknown;
  defaultDescription?: string | undefined;
  describe?: string | undefined;
}

/**
 * Gives each option its default from `CHAT_<NAME>` when that is set (`--max-per-user`
 * reads CHAT_MAX_PER_USER). Only the options named are read from the environment,
 * unlike yargs' .env(), which turns every CHAT_* variable into an option and
 * makes strict mode refuse unrelated ones such as CHAT_DEBUG. An option may
 * name its own variable (`env`); a repeatable one (`array`) reads a
 * comma-separated list (CHAT_OPERATORS=alice,bob).
 */
export function envDefaults<T extends Record<string, EnvOption>>(options: T, env = process.env): T {
  const out: Record<string, EnvOption> = {};
  for (const [name, option] of Object.entries(options)) {
    const variable = option.env ?? `CHAT_${name.toUpperCase().replace(/-/g, '_')}`;
    const raw = env[variable];
    const fromEnv =
      raw === undefined || raw === ''
        ? undefined
        : option.array
          ? raw
              .split(',')
              .map((item) => item.trim())
              .filter((item) => item !== '')
          : option.type === 'number'
            ? Number(raw)
            : option.type === 'boolean'
              ? /^(1|true|yes|on)$/i.test(raw)
              : raw;
    const { env: _variable, ...yargsOption } = option;
    out[name] = {
      ...yargsOption,
      ...(fromEnv === undefined ? {} : { default: fromEnv }),
      describe: `${option.describe ?? ''} [$${variable}]`,
    };
  }
  return out as T;
}
