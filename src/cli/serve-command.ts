import type { Argv } from 'yargs';
import { SERVE_FLAGS, type ServeArgs } from '../server/server-config.ts';
import { schemaOptions } from './schema-options.ts';
import { certsDirOption, dataDirOption, envDefaults, type Run } from './shared-options.ts';

/**
 * `chat serve`: its flags are SERVE_FLAGS' keys (src/server/server-config.ts);
 * every one can also come from CHAT_<FLAG> (e.g. CHAT_PORT, CHAT_MAX_PER_USER).
 */
export function serveCommand(y: Argv, run: Run): Argv {
  return y.command(
    'serve',
    'run the TLS chat server',
    (c) =>
      c
        .options({
          certs: certsDirOption,
          data: dataDirOption,
          ...envDefaults(schemaOptions(SERVE_FLAGS, ['certs', 'data'])),
        })
        .example('$0 serve', "serve on 127.0.0.1:8443 with your team profile's certificates")
        .example('$0 serve --host 0.0.0.0 --port 9000', 'serve the whole network on port 9000')
        .example('CHAT_RATE=10 $0 serve', 'any flag from the environment')
        .example('$0 serve --dashboard', 'watch connections, log and throughput live')
        .example('$0 serve --require-password', 'also ask each user for a password (chat users)'),
    // Loaded when run: every other command starts without the server's modules.
    run(async (args) =>
      (await import('../commands/serve.ts')).runServe(args as ServeArgs & { color?: boolean }),
    ),
  );
}
