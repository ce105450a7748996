import pkg from '../../package.json' with { type: 'json' };
import { ChatServer } from '../server/chat-server.ts';
import { historyForServer } from '../server/history/history-for-server.ts';
import { createLogger } from '../server/logger.ts';
import { DEFAULT_SERVER_CONFIG } from '../server/server-config.ts';
import { loadServerTls } from '../server/tls-options.ts';

/**
 * The server `chat tui` starts in its own process when none listens on
 * localhost: defaults, 127.0.0.1 only, history in `dataDir`. Its own module,
 * loaded only then, so a TUI joining a running server starts without it.
 */
export async function startEmbeddedServer(options: {
  port: number;
  certsDir: string;
  dataDir: string;
}): Promise<ChatServer> {
  const config = { ...DEFAULT_SERVER_CONFIG, host: '127.0.0.1', ...options };
  // The screen belongs to the TUI: the embedded server keeps quiet.
  const logger = createLogger('silent');
  const server = new ChatServer({
    config,
    tls: await loadServerTls(config.certsDir, config.tlsMin),
    store: (await historyForServer(config, logger)).store,
    logger,
    serverName: `chat/${pkg.version}`,
  });
  await server.listen();
  return server;
}
