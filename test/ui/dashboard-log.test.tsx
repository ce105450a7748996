import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { Dashboard } from '../../src/dashboard/Dashboard.tsx';
import { LogBuffer } from '../../src/server/log-buffer.ts';
import type { ServerStats } from '../../src/server/server-stats.ts';
import { inputReady, until } from '../helpers/ink.ts';

/** A server with nothing connected: the log pane is what this test reads. */
class QuietServer extends EventEmitter {
  stats(): ServerStats {
    return {
      startedAt: Date.now(),
      address: '127.0.0.1',
      port: 1,
      tlsMin: '1.3',
      caFingerprint: 'AA:BB',
      connections: [],
      peakConnections: 0,
      rooms: [],
      totalMessages: 0,
      messagesPerSecond: 0,
      messageSeries: [],
      memoryBytes: 0,
    };
  }
  kick(): boolean {
    return false;
  }
}

const line = (n: number) =>
  `${JSON.stringify({ level: 30, time: Date.now(), msg: `event ${n}` })}\n`;

describe('the dashboard log pane', () => {
  it('keeps what is being read in place while new lines arrive, and End follows again', async () => {
    const logs = new LogBuffer(500);
    for (let n = 1; n <= 60; n++) logs.write(line(n));
    const app = render(
      <Dashboard
        source={new QuietServer()}
        logs={logs}
        onShutdown={async () => {}}
        refreshMs={20}
      />,
    );
    const frame = () => app.lastFrame() ?? '';
    // The last log row on screen: the record at the bottom of the pane.
    const bottom = () => [...frame().matchAll(/INFO {2}event (\d+)/g)].at(-1)?.[1];
    try {
      await inputReady(app.stdin);
      await until(() => bottom() === '60', 'the newest at the bottom');
      app.stdin.write('\t'); // focus the log
      await until(() => /▸Log \(60\)/.test(frame()), 'the log focused');
      for (let i = 0; i < 3; i++) {
        app.stdin.write('\u001b[A');
        await until(() => bottom() === String(59 - i), `scrolled up ${i + 1}`);
      }
      for (let n = 61; n <= 65; n++) logs.write(line(n));
      await until(() => /Log \(65, 8 newer below/.test(frame()), 'the new lines counted');
      assert.equal(bottom(), '57', 'the view did not move');
      app.stdin.write('\u001b[F'); // End
      await until(() => bottom() === '65', 'following again');
    } finally {
      app.unmount();
    }
  });
});
