import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { optionOf, schemaOptions } from '../../src/cli/schema-options.ts';
import { envDefaults } from '../../src/cli/shared-options.ts';
import { SERVE_FLAGS } from '../../src/server/server-config.ts';

const OPTIONS = schemaOptions(SERVE_FLAGS, ['certs', 'data']);

describe('yargs options from a zod schema', () => {
  it('types, defaults, choices and help text come from the schema', () => {
    const schema = z.object({
      maxPerUser: z.number().default(8).describe('connections per user'),
      tlsMin: z.enum(['1.3', '1.2']).default('1.3').describe('oldest TLS'),
      logFile: z.string().optional().describe('where the log goes'),
      dashboard: z.boolean().default(false).describe('a screen'),
      hidden: z.string(),
    });
    assert.deepEqual(schemaOptions(schema, ['hidden']), {
      'max-per-user': { type: 'number', default: 8, describe: 'connections per user' },
      'tls-min': {
        type: 'string',
        choices: ['1.3', '1.2'],
        default: '1.3',
        describe: 'oldest TLS',
      },
      'log-file': { type: 'string', describe: 'where the log goes' },
      dashboard: { type: 'boolean', default: false, describe: 'a screen' },
    });
  });

  it('refuses a schema yargs cannot take', () => {
    assert.throws(() => optionOf(z.array(z.number())), /no yargs option for a zod array/);
  });

  it('makes an array of strings a repeatable option, with its own variable when named', () => {
    const option = optionOf(
      z
        .array(z.string())
        .default([])
        .meta({ description: 'a server operator', env: 'CHAT_OPERATORS' }),
    );
    assert.deepEqual(option, {
      type: 'string',
      array: true,
      default: [],
      env: 'CHAT_OPERATORS',
      describe: 'a server operator',
    });
    assert.deepEqual(envDefaults({ operator: option }, { CHAT_OPERATORS: 'alice, bob,,' }), {
      operator: {
        type: 'string',
        array: true,
        default: ['alice', 'bob'],
        describe: 'a server operator [$CHAT_OPERATORS]',
      },
    });
    assert.deepEqual(
      envDefaults({ operator: option }, { CHAT_OPERATOR: 'x' }).operator.default,
      [],
    );
  });

  it('every flag of chat serve has help text; certs and data are declared by the CLI', () => {
    for (const [flag, option] of Object.entries(OPTIONS)) {
      assert.ok(option.describe.length > 0, flag);
    }
    assert.equal(OPTIONS.certs, undefined);
    assert.equal(OPTIONS['max-per-user']?.default, 8);
    assert.equal(OPTIONS['idle-timeout']?.default, 120, 'in seconds, as typed');
  });

  it("README's chat serve table names exactly the flags there are", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### `chat serve`'));
    const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| option')));
    const named = new Set([...table.matchAll(/`--([a-z-]+)/g)].map((m) => m[1]));
    assert.deepEqual([...named].sort(), ['certs', 'data', ...Object.keys(OPTIONS)].sort());
  });
});
