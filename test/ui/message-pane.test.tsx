import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import { HelpOverlay, helpRows } from '../../src/ui/components/HelpOverlay.tsx';
import { MessagePane } from '../../src/ui/components/MessagePane.tsx';
import { lineRows, visibleRows } from '../../src/ui/components/message-rows.ts';
import { RoomList } from '../../src/ui/components/RoomList.tsx';
import { StatusBar, statusSpans } from '../../src/ui/components/StatusBar.tsx';
import { fitSpans, spansWidth } from '../../src/ui/components/spans.ts';
import { UserList } from '../../src/ui/components/UserList.tsx';
import type {
  ConnectionView,
  FailedLine,
  Line,
  MessageLine,
  Pending,
} from '../../src/ui/state/chat-types.ts';
import { displayWidth } from '../../src/ui/text/wrap.ts';
import { roomOf } from '../helpers/idle-client.ts';

const T0 = Date.UTC(2026, 10, 25, 9, 30);
const FOLLOWING = { offset: 0, newWhileScrolled: 0 };

function message(id: number, text: string, extra: Partial<MessageLine> = {}): MessageLine {
  return {
    kind: 'message',
    id,
    ts: T0 + id,
    from: id % 2 === 0 ? 'bob' : 'carol',
    text,
    action: false,
    mention: false,
    own: false,
    ...extra,
  };
}

/** `lines` behind a proxy that counts which entries are read. */
function counted(lines: readonly Line[]): { lines: readonly Line[]; reads: Set<number> } {
  const reads = new Set<number>();
  const proxy = new Proxy(lines as Line[], {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads.add(Number(key));
      return Reflect.get(target, key, receiver);
    },
  });
  return { lines: proxy, reads };
}

/** The frame's lines without colours or trailing blanks (kept when a style wraps them). */
function frameLines(frame: string | undefined): string[] {
  return stripAnsi(frame ?? '')
    .split('\n')
    .map((line) => line.trimEnd());
}

afterEach(() => cleanup());

describe('MessagePane', () => {
  const many = Array.from({ length: 100_000 }, (_, id) =>
    message(id, `message ${String(id).padStart(6, '0')} ${'x'.repeat(id % 90)}`),
  );

  it('renders 100,000 lines by reading only the visible ones', (t) => {
    const { lines, reads } = counted(many);
    const started = performance.now();
    const { lastFrame } = render(
      <MessagePane
        conversation={roomOf(lines)}
        pending={[]}
        scroll={FOLLOWING}
        width={60}
        height={20}
        timeZone="UTC"
      />,
    );
    t.diagnostic(`first frame in ${(performance.now() - started).toFixed(1)} ms`);
    const rows = frameLines(lastFrame());
    assert.equal(rows.length, 20, 'exactly the pane height');
    assert.match(rows.at(-1) ?? '', /x+$/);
    assert.ok(rows.some((row) => row.includes('message 099999')));
    assert.ok(reads.size <= 20, `read ${reads.size} of 100,000 lines`);
    for (const row of rows) assert.ok(displayWidth(row) <= 60);
  });

  it('windows a scrolled view and ends it with the new-messages mark', () => {
    const { lines, reads } = counted(many);
    const { lastFrame } = render(
      <MessagePane
        conversation={roomOf(lines)}
        pending={[]}
        scroll={{ offset: 50_000, newWhileScrolled: 7 }}
        width={60}
        height={20}
        timeZone="UTC"
      />,
    );
    const rows = frameLines(lastFrame());
    assert.equal(rows.length, 20);
    assert.match(rows.at(-1) ?? '', /↓ 7 new messages \(End\)/);
    assert.ok(rows.some((row) => row.includes('message 049999')));
    assert.ok(!rows.some((row) => row.includes('message 050000')));
    assert.ok(Math.max(...reads) <= 49_999 && reads.size <= 20);
  });

  it('hides the anchor line’s last `hiddenRows` rows, and marks the view as scrolled', () => {
    const lines = [message(1, 'first'), message(2, 'aaaa bbbb cccc dddd eeee')];
    assert.equal(lineRows(lines[1] as Line, 24, 'UTC').length, 3);
    const rows = visibleRows({
      lines,
      pending: [],
      scroll: { offset: 0, hiddenRows: 2, newWhileScrolled: 0 },
      width: 24,
      height: 4,
      timeZone: 'UTC',
    }).map((spans) => spans.map((span) => span.text).join(''));
    assert.deepEqual(rows, [
      '',
      '09:30 <carol> first',
      '09:30 <bob> aaaa bbbb',
      ' ↓ more below (End) ',
    ]);
  });

  it('memoises a line’s rows per width', () => {
    const line = message(1, 'some words to wrap around the pane edge');
    assert.equal(lineRows(line, 30, 'UTC'), lineRows(line, 30, 'UTC'));
    assert.notEqual(lineRows(line, 30, 'UTC'), lineRows(line, 31, 'UTC'));
  });

  it('fills short conversations from the bottom, exactly height rows', () => {
    const rows = visibleRows({
      lines: [message(1, 'only one')],
      pending: [],
      scroll: FOLLOWING,
      width: 40,
      height: 5,
      timeZone: 'UTC',
    });
    assert.equal(rows.length, 5);
    assert.deepEqual(rows.slice(0, 4), [[], [], [], []]);
    assert.equal(rows[4]?.map((span) => span.text).join(''), '09:30 <carol> only one');
  });

  it('shows actions, mentions, failed and pending messages', () => {
    const pending: Pending[] = [
      { localId: 'a', conversation: '#general', text: 'on its way', action: false },
    ];
    const failed: FailedLine = {
      kind: 'failed',
      ts: T0 + 5,
      from: 'alice',
      text: 'stuck',
      action: false,
      reason: 'too fast',
    };
    const lines = [
      message(2, 'waves', { action: true }),
      message(4, 'alice: look', { mention: true }),
      failed,
    ];
    const rows = visibleRows({
      lines,
      pending,
      scroll: FOLLOWING,
      width: 50,
      height: 6,
      timeZone: 'UTC',
      user: 'alice',
    }).map((spans) => spans.map((span) => span.text).join(''));
    assert.deepEqual(rows, [
      '',
      '09:30 * bob waves',
      '09:30 <bob> alice: look',
      '  !   <alice> stuck',
      '      failed: too fast',
      '  …   <alice> on its way',
    ]);
    assert.deepEqual(lineRows(failed, 50)[0]?.[0], { text: '  !   ', color: 'red', bold: true });
    assert.deepEqual(lineRows(failed, 50)[1]?.[1], { text: 'failed: too fast', color: 'red' });
    const mention = visibleRows({
      lines: lines.slice(0, 2),
      pending: [],
      scroll: FOLLOWING,
      width: 50,
      height: 1,
    });
    assert.deepEqual(
      mention[0]?.at(-1),
      { text: 'alice: look', color: 'yellow', bold: true },
      'a mention is bold yellow',
    );
  });

  it('keeps wide characters and long nicks inside a narrow pane', () => {
    const lines = [
      message(1, '漢字かな交じり文 🎉🎉🎉 and more 漢字漢字漢字漢字', {
        from: 'a-very-long-user-name-indeed',
      }),
    ];
    for (const width of [6, 8, 12, 20, 33]) {
      const rows = visibleRows({ lines, pending: [], scroll: FOLLOWING, width, height: 12 });
      for (const row of rows) {
        const fitted = spansWidth(fitSpans(row, width));
        assert.ok(fitted <= width);
        // Text rows always fit; only a prefix wider than a tiny pane is cut.
        if (width >= 20) assert.equal(fitted, spansWidth(row), `no row cut at ${width}`);
      }
    }
  });
});

describe('StatusBar', () => {
  const connection: ConnectionView = {
    state: 'reconnecting',
    retryAt: T0 + 2_500,
    tlsVersion: 'TLSv1.3',
    user: 'alice',
    rttMs: 12.4,
  };
  const room = { ...roomOf([]), topic: 'a topic that goes on and on and on and on and on' };

  it('counts down the reconnect and fits every width exactly', () => {
    for (const columns of [10, 24, 40, 57, 80, 100, 160]) {
      const props = {
        server: 'chat.example.org:7000',
        connection,
        conversation: room,
        now: T0,
        columns,
      };
      const spans = statusSpans(props);
      assert.ok(spansWidth(spans) <= columns, `fits ${columns}`);
      assert.equal(spansWidth(fitSpans(spans, columns, true)), columns);
      const { lastFrame } = render(<StatusBar {...props} />);
      assert.equal(frameLines(lastFrame()).length, 1, 'one line');
      if (columns >= 24) assert.match(lastFrame() ?? '', /reconnecting in 3 s/);
    }
    const wide = statusSpans({
      server: 'h:1',
      connection,
      conversation: room,
      now: T0,
      columns: 160,
    });
    const text = wide.map((span) => span.text).join('');
    // The TLS version and round trip of the lost connection are not shown as if current.
    assert.match(text, /^ h:1 │ reconnecting in 3 s │ alice │ #general │ a topic .*\S {2,}$/);
    assert.doesNotMatch(text, /TLSv1\.3|12 ms/);
    const live = statusSpans({
      server: 'h:1',
      connection: { ...connection, state: 'connected' },
      conversation: room,
      now: T0,
      columns: 160,
    });
    assert.match(
      live.map((span) => span.text).join(''),
      /h:1 │ connected │ TLSv1\.3 │ alice │ #general │ a topic .* 12 ms $/,
    );
  });

  it('gives the reason for a lost connection room before the server, user and room', () => {
    const error = 'connection refused: is chat serve running on chat.example.org:7000?';
    const text = statusSpans({
      server: 'chat.example.org:7000',
      connection: { ...connection, error },
      conversation: room,
      now: T0,
      columns: 100,
    })
      .map((span) => span.text)
      .join('');
    assert.ok(text.includes(`reconnecting in 3 s │ ${error}`), text);
    assert.equal(displayWidth(text), 100);
  });

  it('names the node of a cluster it is connected to, and the one it tries while reconnecting', () => {
    const bar = (view: ConnectionView) =>
      statusSpans({
        server: 'a.example:8443,b.example:8443',
        connection: view,
        conversation: room,
        now: T0,
        columns: 100,
      })
        .map((span) => span.text)
        .join('');
    assert.match(
      bar({ ...connection, state: 'connected', node: 'b.example:8443' }),
      /^ b\.example:8443 │ connected │ TLSv1\.3 │ alice │ #general/,
    );
    assert.match(
      bar({ ...connection, node: 'a.example:8443' }),
      /^ trying a\.example:8443 │ reconnecting in 3 s │ alice/,
    );
    assert.match(
      bar({ state: 'connecting', node: 'a.example:8443' }),
      /^ trying a\.example:8443 │ connecting/,
    );
    // The node tried stays beside the error, which is cut instead; a tiny bar keeps the state.
    const error = 'nothing is listening on b.example:8443 — start the server with `chat serve`';
    const down = bar({ ...connection, node: 'a.example:8443', error });
    assert.match(
      down,
      /^ trying a\.example:8443 │ reconnecting in 3 s │ nothing is listening on b\.example:8443 .*…/,
    );
    assert.equal(displayWidth(down), 100);
    for (const columns of [10, 24, 40]) {
      const spans = statusSpans({
        server: 'a.example:8443,b.example:8443',
        connection: { ...connection, node: 'a.example:8443', error },
        now: T0,
        columns,
      });
      assert.equal(spansWidth(spans), columns);
      assert.match(spans.map((span) => span.text).join(''), /reconn/, `${columns}`);
    }
    // One server: named as given, as before.
    assert.match(
      bar({ ...connection, state: 'connected' }),
      /^ a\.example:8443,b\.example:8443 │ connected/,
    );
  });

  it('shows offline with its error, neutralised', () => {
    const text = statusSpans({
      server: 'h:1',
      connection: { state: 'offline', error: 'certificate expired\u001b[31m: renew it' },
      now: T0,
      columns: 80,
    })
      .map((span) => span.text)
      .join('');
    assert.match(text, /offline │ certificate expired␛\[31m: renew it/);
  });
});

describe('side columns and help', () => {
  it('marks unread, mentions and the current conversation in the room list', () => {
    const { lastFrame } = render(
      <RoomList
        width={16}
        height={4}
        items={[
          { name: '#general', kind: 'room', unread: 0, mention: false, isCurrent: true, index: 1 },
          {
            name: '#a-long-room-name',
            kind: 'room',
            unread: 150,
            mention: false,
            isCurrent: false,
            index: 2,
          },
          { name: '@dave', kind: 'dm', unread: 2, mention: true, isCurrent: false, index: 3 },
        ]}
      />,
    );
    assert.deepEqual(frameLines(lastFrame()), [
      '1 #general    │',
      '2 #a-long… 99+│',
      '3 @dave     2!│',
      '              │',
    ]);
  });

  it('counts members and shows how many did not fit', () => {
    const members = ['ann', 'ben', 'cid', 'dee', 'eve'].map((user) => ({
      user,
      status: user === 'cid' ? ('away' as const) : ('online' as const),
    }));
    const { lastFrame } = render(<UserList members={members} width={16} height={4} />);
    assert.deepEqual(frameLines(lastFrame()), [' │ 5 users', ' │ ● ann', ' │ ● ben', ' │ +3 more']);
  });

  it('lists every command and key when there is room', () => {
    const text = helpRows(80, 40)
      .map((row) => row.map((span) => span.text).join(''))
      .join('\n');
    for (const needle of [
      '/join #room',
      '/quit',
      '/msg user [text]',
      'Ctrl+N/Ctrl+P',
      'Alt+1..9',
      'Tab',
      'Ctrl+C',
    ]) {
      assert.ok(text.includes(needle), needle);
    }
    assert.ok(!text.includes('more ('), 'no hint when everything fits');
    const total = helpRows(30, 1000).length;
    const { lastFrame } = render(<HelpOverlay width={30} height={5} />);
    const rows = frameLines(lastFrame());
    assert.equal(rows.length, 5);
    assert.equal(rows.at(-1)?.trimEnd(), `↑↓ PgUp PgDn: more (1–4 of ${total})`);
  });
});
