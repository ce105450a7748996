import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatError } from '../../src/errors.ts';
import { MAX_HISTORY_LIMIT, MAX_TEXT_CHARS } from '../../src/net/protocol/frames.ts';
import {
  DEFAULT_SERVER_CONFIG as D,
  type ServeArgs,
  serverConfigFrom,
} from '../../src/server/server-config.ts';

/** The flags as yargs gives them with every default (see src/cli/serve-command.ts). */
const DEFAULTS: ServeArgs = {
  host: D.host,
  port: 8443,
  certs: 'certs',
  data: 'data',
  store: 'disk',
  keepDays: 0,
  keepMessages: 0,
  tlsMin: '1.3',
  handshakeTimeout: D.handshakeTimeoutMs / 1000,
  maxHandshakes: D.maxHandshakes,
  maxHandshakesPerAddress: D.maxHandshakesPerAddress,
  maxFrame: D.maxFrameBytes,
  maxText: D.maxTextChars,
  rate: D.ratePerSecond,
  burst: D.rateBurst,
  maxQueue: D.maxQueueBytes,
  stallTimeout: D.stallTimeoutMs / 1000,
  readBudget: D.readBudgetBytes,
  maxConnections: D.maxConnections,
  maxPerAddress: D.maxPerAddress,
  maxPerUser: D.maxPerUser,
  idlePing: D.idlePingMs / 1000,
  idleTimeout: D.idleTimeoutMs / 1000,
  historySize: D.historyPerRoom,
  maxHistory: D.maxHistory,
  maxErrors: D.maxErrors,
  maxRoomsPerUser: D.maxRoomsPerUser,
  maxRooms: D.maxRooms,
  roomsPerHour: D.maxRoomsCreatedPerHour,
  motd: D.motd,
  requirePassword: false,
  authTimeout: D.authTimeoutMs / 1000,
  logLevel: 'info',
  dashboard: false,
};

function refused(overrides: Partial<ServeArgs>, flag: string) {
  assert.throws(
    () => serverConfigFrom({ ...DEFAULTS, ...overrides }),
    (error: unknown) => {
      assert.ok(error instanceof ChatError, String(error));
      assert.equal(error.code, 'USAGE');
      assert.ok(error.message.includes(flag), error.message);
      assert.ok(error.hint, 'a USAGE error says what to give instead');
      assert.ok(!`${error.message}${error.hint}`.includes('\n'), 'one line');
      return true;
    },
  );
}

const INTEGER_FLAGS: Array<[keyof ServeArgs, string]> = [
  ['maxFrame', '--max-frame'],
  ['maxText', '--max-text'],
  ['burst', '--burst'],
  ['maxQueue', '--max-queue'],
  ['maxConnections', '--max-connections'],
  ['maxPerAddress', '--max-per-address'],
  ['maxHandshakes', '--max-handshakes'],
  ['maxHandshakesPerAddress', '--max-handshakes-per-address'],
  ['maxPerUser', '--max-per-user'],
  ['historySize', '--history-size'],
  ['maxHistory', '--max-history'],
  ['maxErrors', '--max-errors'],
  ['maxRoomsPerUser', '--max-rooms-per-user'],
  ['maxRooms', '--max-rooms'],
  ['roomsPerHour', '--rooms-per-hour'],
];

const POSITIVE_FLAGS: Array<[keyof ServeArgs, string]> = [
  ['handshakeTimeout', '--handshake-timeout'],
  ['idlePing', '--idle-ping'],
  ['idleTimeout', '--idle-timeout'],
  ['rate', '--rate'],
  ['authTimeout', '--auth-timeout'],
];

describe('serverConfigFrom', () => {
  it('turns the default flags into the default config, times in ms', () => {
    assert.deepEqual(serverConfigFrom(DEFAULTS), { ...D, port: 8443, certsDir: 'certs' });
  });

  it('keeps fractions where they mean something: seconds and the rate', () => {
    const config = serverConfigFrom({
      ...DEFAULTS,
      handshakeTimeout: 0.5,
      idlePing: 1.5,
      idleTimeout: 2.5,
      rate: 0.5,
    });
    assert.equal(config.handshakeTimeoutMs, 500);
    assert.equal(config.idlePingMs, 1_500);
    assert.equal(config.idleTimeoutMs, 2_500);
    assert.equal(config.ratePerSecond, 0.5);
  });

  it('accepts 1 for every count and size, and caps text and history at the protocol limits', () => {
    const ones = Object.fromEntries(INTEGER_FLAGS.map(([key]) => [key, 1]));
    const config = serverConfigFrom({ ...DEFAULTS, ...ones });
    assert.equal(config.maxFrameBytes, 1);
    assert.equal(config.maxErrors, 1);
    const big = serverConfigFrom({ ...DEFAULTS, maxText: 10 ** 9, maxHistory: 10 ** 9 });
    assert.equal(big.maxTextChars, MAX_TEXT_CHARS);
    assert.equal(big.maxHistory, MAX_HISTORY_LIMIT);
  });

  for (const [key, flag] of INTEGER_FLAGS) {
    for (const value of [0.5, 1.5, 0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      it(`refuses ${flag} ${value}`, () => refused({ [key]: value }, flag));
    }
  }

  for (const [key, flag] of POSITIVE_FLAGS) {
    for (const value of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      it(`refuses ${flag} ${value}`, () => refused({ [key]: value }, flag));
    }
  }

  it('takes operators from repeated --operator, once each and sorted', () => {
    assert.deepEqual(
      serverConfigFrom({ ...DEFAULTS, operator: ['bob', 'alice', 'bob'] }).operators,
      ['alice', 'bob'],
    );
    assert.deepEqual(serverConfigFrom(DEFAULTS).operators, []);
  });

  for (const name of ['Alice', 'a b', '', 'x'.repeat(33)]) {
    it(`refuses --operator ${JSON.stringify(name)}, naming it`, () => {
      refused({ operator: ['alice', name] }, `--operator ${name}`);
    });
  }

  it('refuses an idle timeout not longer than the idle ping', () => {
    refused({ idlePing: 60, idleTimeout: 60 }, '--idle-timeout');
    refused({ idlePing: 60, idleTimeout: 30 }, '--idle-timeout');
  });

  for (const port of [0, 1, 8443, 65_535]) {
    it(`accepts --port ${port}`, () => {
      assert.equal(serverConfigFrom({ ...DEFAULTS, port }).port, port);
    });
  }

  for (const port of [-1, 65_536, 80.5, Number.NaN]) {
    it(`refuses --port ${port}`, () => refused({ port }, '--port'));
  }

  it('refuses a TLS version other than 1.2 and 1.3', () => {
    // The type admits only the choices; the schema is what refuses the rest.
    refused({ tlsMin: '1.1' } as unknown as Partial<ServeArgs>, '--tls-min');
  });

  it('takes a Redis URL for --redis, durability always unless told everysec', () => {
    const config = serverConfigFrom({ ...DEFAULTS, redis: 'rediss://redis.example:6380/2' });
    assert.equal(config.redis, 'rediss://redis.example:6380/2');
    assert.equal(config.redisDurability, 'always');
    assert.equal(D.redis, undefined);
    const everysec = serverConfigFrom({
      ...DEFAULTS,
      redis: 'redis://127.0.0.1:6379',
      redisDurability: 'everysec',
      redisPasswordEnv: 'REDIS_PASS',
    });
    assert.equal(everysec.redisDurability, 'everysec');
    assert.equal(everysec.redisPasswordEnv, 'REDIS_PASS');
  });

  for (const redis of ['http://redis:6379', 'redis:', 'not a url', 'redis://:secret@redis:6379']) {
    it(`refuses --redis ${redis} (a password only through --redis-password-env)`, () =>
      refused({ redis }, '--redis'));
  }

  it('does not repeat a password given in a --redis URL', () => {
    assert.throws(
      () => serverConfigFrom({ ...DEFAULTS, redis: 'redis://:hunter2@redis:6379' }),
      (error: unknown) =>
        error instanceof ChatError && !`${error.message} ${error.hint}`.includes('hunter2'),
    );
  });

  it('refuses --store memory with --redis in one line', () => {
    assert.throws(
      () => serverConfigFrom({ ...DEFAULTS, store: 'memory', redis: 'redis://127.0.0.1:6379' }),
      (error: unknown) =>
        error instanceof ChatError &&
        error.code === 'USAGE' &&
        error.message === '--store memory and --redis do not go together',
    );
  });
});
