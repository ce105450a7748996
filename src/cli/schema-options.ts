/**
 * yargs options made from a zod object schema: one option per key (camelCase
 * key → kebab-case flag), typed after the key's schema, with its
 * `.default()` and its `.describe()` text; an enum becomes a string option
 * with its values as choices, an array of strings a repeatable string option. So a command's flags are declared once, in the
 * schema that also checks them (see SERVE_FLAGS in src/server/server-config.ts).
 */
import type { z } from 'zod';
import { flagName } from '../format/flag-name.ts';

/** One yargs option, as {@link envDefaults} (shared-options.ts) reads it. */
export type SchemaOption = {
  type: 'string' | 'number' | 'boolean';
  /** A repeatable flag (`--operator a --operator b`): its values in an array. */
  array?: true;
  /** The environment variable read instead of CHAT_<FLAG> (from the schema's `.meta({env})`). */
  env?: string;
  default?: unknown;
  choices?: readonly string[];
  describe: string;
};

/** The option of one key's schema: `.default()` and `.optional()` unwrapped to the type beneath. */
export function optionOf(schema: z.ZodType): SchemaOption {
  const describe = schema.description ?? '';
  const env = schema.meta()?.env;
  let inner = schema;
  let fallback: { default: unknown } | undefined;
  for (;;) {
    const def = inner.def as { type: string; innerType?: z.ZodType; defaultValue?: unknown };
    if (def.type === 'default') fallback = { default: def.defaultValue };
    if ((def.type !== 'default' && def.type !== 'optional') || def.innerType === undefined) break;
    inner = def.innerType;
  }
  const type = inner.def.type;
  const base = { ...fallback, ...(typeof env === 'string' ? { env } : {}), describe };
  if (type === 'enum') {
    // A string: yargs would make `--tls-min 1.2` the number 1.2, which no choice matches.
    return { type: 'string', choices: (inner as z.ZodEnum).options as string[], ...base };
  }
  if (type === 'string' || type === 'number' || type === 'boolean') return { type, ...base };
  // An array of strings: a repeatable string flag.
  const element = (inner.def as { element?: z.ZodType }).element;
  if (type === 'array' && element?.def.type === 'string')
    return { type: 'string', array: true, ...base };
  throw new Error(`no yargs option for a zod ${type}`);
}

/** The options of every key of `schema` but those in `except` (declared elsewhere), in the schema's order. */
export function schemaOptions(
  schema: z.ZodObject,
  except: readonly string[] = [],
): Record<string, SchemaOption> {
  const options: Record<string, SchemaOption> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    if (except.includes(key)) continue;
    options[flagName(key).slice(2)] = optionOf(field as z.ZodType);
  }
  return options;
}
