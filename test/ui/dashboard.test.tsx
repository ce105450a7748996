import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { Dashboard } from '../../src/dashboard/Dashboard.tsx';
import type { ChatClient } from '../../src/net/chat-client.ts';
import { LogBuffer } from '../../src/server/log-buffer.ts';
import {
  client,
  makeTeam,
  nextEvent,
  type Started,
  startServer,
  type Team,
} from '../helpers/chat-server.ts';
import { inputReady, until } from '../helpers/ink.ts';

const ESC = '\u001b';

/** A connections-table row of `user` from the loopback address. */
const tableRow = (user: string) => new RegExp(`^ ${user} +127\\.0\\.0\\.1 `, 'm');

describe('chat serve --dashboard, against a real server', () => {
  let team: Team;
  let started: Started;
  const logs = new LogBuffer(200);
  const clients: ChatClient[] = [];

  before(async () => {
    team = await makeTeam(['alice', 'bob', 'carol']);
    started = await startServer(team, {}, undefined, logs);
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await started.server.close();
    await team.dir.cleanup();
  });

  async function connected(user: string): Promise<ChatClient> {
    const c = await client(team, started, user);
    clients.push(c);
    await c.connect();
    return c;
  }

  it('shows the users and addresses connected, updates when one leaves, kicks, filters the log', async () => {
    const alice = await connected('alice');
    const bob = await connected('bob');
    let shutdowns = 0;
    const app = render(
      <Dashboard
        source={started.server}
        logs={logs}
        onShutdown={async () => {
          shutdowns += 1;
        }}
        refreshMs={50}
      />,
    );
    const frame = () => app.lastFrame() ?? '';
    try {
      await inputReady(app.stdin);
      await until(
        () => tableRow('alice').test(frame()) && tableRow('bob').test(frame()),
        'both rows',
      );
      assert.match(frame(), /Connections \(2\)/);
      assert.match(frame(), /TLSv1\.3/);

      // bob leaves: his row goes, alice's stays.
      await bob.close();
      await until(() => !tableRow('bob').test(frame()), 'bob gone from the table');
      assert.match(frame(), tableRow('alice'));
      assert.match(frame(), /Connections \(1\)/);

      // Enter: details of the selected connection, with its certificate.
      app.stdin.write('\r');
      await until(() => /subject +CN=alice/.test(frame()), 'the details');
      assert.match(frame(), /expires +\d{4}-/);
      app.stdin.write(ESC);
      await until(() => tableRow('alice').test(frame()), 'back to the table');

      // k asks first; the reason reaches the client.
      const told = nextEvent<[string, { error?: Error }]>(
        alice,
        'state',
        (_state, detail) => detail.error !== undefined,
      );
      app.stdin.write('k');
      await until(() => /kick alice \(127\.0\.0\.1\)\? reason:/.test(frame()), 'the question');
      app.stdin.write('spamming');
      await until(() => frame().includes('spamming'), 'the reason typed');
      app.stdin.write('\r');
      const [, detail] = await told;
      assert.match(String(detail.error?.message), /kicked.*spamming/);
      await until(() => !tableRow('alice').test(frame()), 'alice gone after the kick');
      assert.match(frame(), /kicked alice/);

      // The log pane filters by text.
      await until(() => /connection kicked/.test(frame()), 'the kick logged');
      app.stdin.write('/');
      await until(() => /filter:/.test(frame()), 'the filter input');
      app.stdin.write('kicked');
      app.stdin.write('\r');
      await until(() => /matching "kicked"/.test(frame()), 'the filter applied');
      assert.match(frame(), /connection kicked/);
      assert.doesNotMatch(frame(), /listening/);

      // Ctrl+C in a text input asks to shut down too; n goes back.
      app.stdin.write('/');
      await until(() => /filter:/.test(frame()), 'the filter input again');
      app.stdin.write('\u0003');
      await until(() => /Shut the server down\?/.test(frame()), 'Ctrl+C asks');
      app.stdin.write('n');
      await until(() => !/Shut the server down\?/.test(frame()), 'the question gone');

      // q asks, n keeps the server; q then y shuts it down.
      app.stdin.write('q');
      await until(() => /Shut the server down\?/.test(frame()), 'the quit question');
      app.stdin.write('n');
      await until(() => !/Shut the server down\?/.test(frame()), 'the question gone');
      assert.equal(shutdowns, 0);
      app.stdin.write('q');
      await until(() => /Shut the server down\?/.test(frame()), 'the quit question again');
      app.stdin.write('y');
      await until(() => shutdowns === 1, 'the shutdown');
    } finally {
      app.unmount();
    }
  });
});
