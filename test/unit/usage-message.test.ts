import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { usageMessage } from '../../src/commands/usage-message.ts';

const COMMANDS = new Set(['certs', 'client', 'list']);

describe('usageMessage', () => {
  const cases: Array<[string, string[], string, string]> = [
    ['Unknown argument: frob', ['frob'], 'unknown command "frob"', 'see `chat --help`'],
    [
      'Unknown argument: frob',
      ['certs', '--frob'],
      'unknown option --frob',
      'see `chat certs --help`',
    ],
    [
      'Unknown arguments: key-type, keyType',
      ['certs', 'list', '--key-type', 'rsa'],
      'unknown option --key-type',
      'see `chat certs list --help`',
    ],
    [
      'Did you mean client?',
      ['certs', 'clinet', 'bob'],
      'unknown command "clinet": did you mean client?',
      'see `chat certs --help`',
    ],
    [
      'Invalid values:\n  Argument: key-type, Given: "dsa", Choices: "ec", "rsa"',
      ['certs', '--key-type', 'dsa'],
      'invalid --key-type "dsa": choose one of "ec", "rsa"',
      'see `chat certs --help`',
    ],
    [
      'Not enough non-option arguments: got 0, need at least 1',
      ['certs', 'client'],
      'a required argument is missing',
      'see `chat certs client --help`',
    ],
    ['say which command to run', [], 'say which command to run', 'see `chat --help`'],
  ];
  for (const [input, argv, message, hint] of cases) {
    it(`rewrites ${JSON.stringify(input)} for ${argv.join(' ') || '(nothing)'}`, () => {
      assert.deepEqual(usageMessage(input, argv, COMMANDS), { message, hint });
    });
  }
});
