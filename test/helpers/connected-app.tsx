import { render } from 'ink-testing-library';
import type { ChatClient } from '../../src/net/chat-client.ts';
import type { ServerFrameOf } from '../../src/net/protocol/frames.ts';
import { DEFAULT_SETTINGS } from '../../src/ui/settings/tui-settings.ts';
import { App } from '../../src/ui/tui/App.tsx';
import { welcomeFrame } from './chat-frames.ts';
import type { IdleClient } from './idle-client.ts';
import { inputReady } from './ink.ts';

/**
 * The whole App on ink-testing-library, connected and welcomed as `welcome`
 * says (no backlog asked, no bell), at `size` when given (its terminal is
 * 100 columns otherwise). Returns the rendered app, ready for keys.
 */
export async function connectedApp(
  client: IdleClient,
  welcome: Partial<ServerFrameOf<'welcome'>>,
  size?: { columns: number; rows: number },
) {
  const app = render(
    <App
      client={client as unknown as ChatClient}
      server="localhost:7000"
      settings={{ saved: { ...DEFAULT_SETTINGS, bell: false, backlog: 0 } }}
      notices={[]}
    />,
  );
  if (size !== undefined) {
    Object.defineProperty(app.stdout, 'columns', { get: () => size.columns });
    Object.defineProperty(app.stdout, 'rows', { get: () => size.rows });
    app.stdout.emit('resize');
  }
  await inputReady(app.stdin);
  client.emit('state', 'connected', {});
  client.emit('welcome', welcomeFrame(welcome));
  return app;
}
