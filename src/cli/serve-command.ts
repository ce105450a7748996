import type { Argv } from 'yargs';
import type { ServeArgs } from '../commands/serve.ts';
import { LOG_LEVELS } from '../server/log-levels.ts';
import { DEFAULT_SERVER_CONFIG as D, DEFAULT_DASHBOARD_LOG } from '../server/server-config.ts';
import {
  certsDirOption,
  DEFAULT_PORT,
  dataDirOption,
  envDefaults,
  type Run,
} from './shared-options.ts';

/** `chat serve`: every flag can also come from CHAT_<FLAG> (e.g. CHAT_PORT, CHAT_MAX_PER_USER). */
export function serveCommand(y: Argv, run: Run): Argv {
  return y.command(
    'serve',
    'run the TLS chat server',
    (c) =>
      c
        .options({
          certs: certsDirOption,
          data: dataDirOption,
          ...envDefaults({
            host: {
              type: 'string',
              default: D.host,
              describe: 'address to listen on (0.0.0.0 for every interface)',
            },
            port: { type: 'number', default: DEFAULT_PORT, describe: 'TCP port' },
            'tls-min': {
              // A string: yargs would make 1.2 the number 1.2, which no choice matches.
              type: 'string',
              choices: ['1.3', '1.2'],
              default: '1.3',
              describe: 'oldest TLS version offered',
            },
            'handshake-timeout': {
              type: 'number',
              default: D.handshakeTimeoutMs / 1000,
              describe: 'seconds for TLS handshake + hello',
            },
            'max-handshakes': {
              type: 'number',
              default: D.maxHandshakes,
              describe: 'sockets in their TLS handshake at once, in all',
            },
            'max-handshakes-per-address': {
              type: 'number',
              default: D.maxHandshakesPerAddress,
              describe: 'sockets in their TLS handshake at once per IP address (IPv6: per /64)',
            },
            'max-frame': {
              type: 'number',
              default: D.maxFrameBytes,
              describe: 'longest line read, in bytes',
            },
            'max-text': {
              type: 'number',
              default: D.maxTextChars,
              describe: 'longest message, in characters',
            },
            rate: {
              type: 'number',
              default: D.ratePerSecond,
              describe: 'frames per second per user',
            },
            burst: {
              type: 'number',
              default: D.rateBurst,
              describe: 'frames a user may send at once',
            },
            'max-queue': {
              type: 'number',
              default: D.maxQueueBytes,
              describe: 'bytes queued to a slow client before it is dropped',
            },
            'stall-timeout': {
              type: 'number',
              default: D.stallTimeoutMs / 1000,
              describe:
                'seconds a client may read nothing of what waits for it before it is dropped',
            },
            'read-budget': {
              type: 'number',
              default: D.readBudgetBytes,
              describe: 'bytes of replays and history pages in flight, server-wide',
            },
            'max-connections': {
              type: 'number',
              default: D.maxConnections,
              describe: 'connections in all',
            },
            'max-per-address': {
              type: 'number',
              default: D.maxPerAddress,
              describe: 'connections per IP address',
            },
            'max-per-user': {
              type: 'number',
              default: D.maxPerUser,
              describe: 'connections per user (devices)',
            },
            'idle-ping': {
              type: 'number',
              default: D.idlePingMs / 1000,
              describe: 'seconds of silence before a ping',
            },
            'idle-timeout': {
              type: 'number',
              default: D.idleTimeoutMs / 1000,
              describe: 'seconds of silence before closing',
            },
            store: {
              choices: ['disk', 'memory'],
              default: D.store,
              describe:
                'keep history encrypted in <data>/history, or in memory only (lost at exit)',
            },
            'history-passphrase-env': {
              type: 'string',
              describe:
                'seal history with the passphrase in this environment variable instead of certs/history.key',
            },
            'keep-days': {
              type: 'number',
              default: D.keepDays,
              describe: 'days a message is kept on disk (0: for ever)',
            },
            'keep-messages': {
              type: 'number',
              default: D.keepMessages,
              describe: 'messages kept per room on disk (0: all)',
            },
            'history-size': {
              type: 'number',
              default: D.historyPerRoom,
              describe: 'newest messages per room held in memory (all that --store memory keeps)',
            },
            'max-history': {
              type: 'number',
              default: D.maxHistory,
              describe: 'most messages one history request returns (up to 200)',
            },
            'max-errors': {
              type: 'number',
              default: D.maxErrors,
              describe: 'invalid lines tolerated in a burst before closing',
            },
            'max-rooms-per-user': {
              type: 'number',
              default: D.maxRoomsPerUser,
              describe: 'rooms one user may be in at once',
            },
            'max-rooms': {
              type: 'number',
              default: D.maxRooms,
              describe: 'rooms the server keeps in all',
            },
            'rooms-per-hour': {
              type: 'number',
              default: D.maxRoomsCreatedPerHour,
              describe: 'rooms one user may create per hour',
            },
            motd: {
              type: 'string',
              default: D.motd,
              describe: 'message of the day shown on connect',
            },
            'log-level': {
              choices: LOG_LEVELS,
              default: 'info' as const,
              describe: 'least severe log level written',
            },
            'log-file': {
              type: 'string',
              describe: `write the log to this file instead of stderr (with --dashboard: ${DEFAULT_DASHBOARD_LOG})`,
            },
            dashboard: {
              type: 'boolean',
              default: false,
              describe: 'show a live full-screen dashboard (needs a terminal)',
            },
            'require-password': {
              type: 'boolean',
              default: D.requirePassword,
              describe:
                'clients must also send their password, set with `chat users add` in --data',
            },
            'auth-timeout': {
              type: 'number',
              default: D.authTimeoutMs / 1000,
              describe: 'seconds a client has to send its password once asked',
            },
          }),
        })
        .example('$0 serve', "serve on 127.0.0.1:8443 with your team profile's certificates")
        .example('$0 serve --host 0.0.0.0 --port 9000', 'serve the whole network on port 9000')
        .example('CHAT_RATE=10 $0 serve', 'any flag from the environment')
        .example('$0 serve --dashboard', 'watch connections, log and throughput live')
        .example('$0 serve --require-password', 'also ask each user for a password (chat users)'),
    // Loaded when run: every other command starts without the server's modules.
    run(async (args) => (await import('../commands/serve.ts')).runServe(args as ServeArgs)),
  );
}
