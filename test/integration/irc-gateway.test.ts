import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import type { ChatClient } from '../../src/net/chat-client.ts';
import type { DirectMessage, RoomMessage } from '../../src/net/protocol/frames.ts';
import {
  client,
  makeTeam,
  nextEvent,
  type Started,
  startServer,
  type Team,
} from '../helpers/chat-server.ts';

/** An IRC client speaking raw lines over TLS with a user's certificate. */
class IrcClient {
  private buffer = '';
  private readonly lines: string[] = [];
  private waiters: Array<() => void> = [];
  closed: Promise<void>;

  private constructor(private readonly socket: tls.TLSSocket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end = this.buffer.indexOf('\r\n');
      while (end !== -1) {
        this.lines.push(this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + 2);
        end = this.buffer.indexOf('\r\n');
      }
      for (const wake of this.waiters) wake();
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async connect(team: Team, port: number, user: string): Promise<IrcClient> {
    const credentials = await team.credentials(user);
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: credentials.ca,
      cert: credentials.cert,
      key: credentials.key,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    });
    return new IrcClient(socket);
  }

  send(...lines: string[]): void {
    this.socket.write(lines.map((line) => `${line}\r\n`).join(''));
  }

  /** The first line not yet taken that matches, waiting for it (bounded); the lines before it are taken too. */
  async expect(pattern: RegExp, timeoutMs = 5_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.lines.findIndex((line) => pattern.test(line));
      if (index !== -1) return this.lines.splice(0, index + 1).at(-1) as string;
      const left = deadline - Date.now();
      if (left <= 0) assert.fail(`no line matching ${pattern}; got:\n${this.lines.join('\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.waiters = [];
    }
  }

  /** Every line received and not yet taken. */
  pending(): string[] {
    return [...this.lines];
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Registers as a modern client does: CAP LS 302, NICK, USER, CAP REQ, SASL EXTERNAL, CAP END. */
async function register(
  irc: IrcClient,
  nick: string,
  caps = 'sasl server-time message-tags echo-message',
) {
  irc.send('CAP LS 302', `NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
  const offered = await irc.expect(/ CAP \* LS /);
  assert.match(offered, /sasl=EXTERNAL/);
  irc.send(`CAP REQ :${caps}`);
  await irc.expect(/ CAP \* ACK /);
  irc.send('AUTHENTICATE EXTERNAL');
  await irc.expect(/^AUTHENTICATE \+$/);
  irc.send('AUTHENTICATE +');
  await irc.expect(/ 903 /);
  irc.send('CAP END');
}

describe('the IRC gateway (--irc-port), over TLS with client certificates', () => {
  let team: Team;
  let started: Started;
  let ircPort: number;
  let bob: ChatClient;

  before(async () => {
    team = await makeTeam(['alice', 'bob', 'carol']);
    started = await startServer(team, { ircPort: 0 });
    ircPort = started.server.ircAddress()?.port ?? 0;
    assert.ok(ircPort > 0);
    bob = await client(team, started, 'bob');
    await bob.connect();
  });

  after(async () => {
    await bob.close();
    await started.server.close();
    await team.dir.cleanup();
  });

  it('registers with SASL EXTERNAL: 001-005 to the certificate name, the MOTD, #general joined', async () => {
    const irc = await IrcClient.connect(team, ircPort, 'alice');
    try {
      await register(irc, 'alice');
      assert.match(await irc.expect(/ 001 /), /^:chat 001 alice :Welcome to chat, alice$/);
      const isupport = await irc.expect(/ 005 /);
      for (const token of ['CHANTYPES=#', 'CASEMAPPING=ascii', 'NICKLEN=32', 'NETWORK=chat']) {
        assert.ok(isupport.includes(token), isupport);
      }
      await irc.expect(/ (376|422) /);
      await irc.expect(/^:alice!alice@chat JOIN #general$/);
      assert.match(await irc.expect(/ 353 /), /^:chat 353 alice = #general :.*\balice\b/);
      await irc.expect(/ 366 alice #general /);
      irc.send('PING :are-you-there');
      assert.match(await irc.expect(/ PONG /), /^:chat PONG chat :?are-you-there$/);
    } finally {
      irc.close();
    }
  });

  it('carries messages both ways, with server-time, msgid and echo-message', async () => {
    const irc = await IrcClient.connect(team, ircPort, 'alice');
    try {
      await register(irc, 'alice');
      await irc.expect(/ 366 alice #general /);
      const heard = nextEvent<[RoomMessage]>(bob, 'message', (m) => m.from === 'alice');
      irc.send('PRIVMSG #general :hello from irc');
      const [message] = await heard;
      assert.equal(message.text, 'hello from irc');
      // echo-message: the client's own line comes back, with its id.
      const echo = await irc.expect(/PRIVMSG #general :hello from irc/);
      assert.match(echo, new RegExp(`msgid=#general/${message.id}\\b`));
      assert.match(echo, /time=\d{4}-\d\d-\d\dT/);

      await bob.send('#general', 'hi alice\nsecond line');
      assert.match(await irc.expect(/PRIVMSG #general :hi alice$/), /:bob!bob@chat PRIVMSG/);
      await irc.expect(/PRIVMSG #general :second line$/);

      irc.send('PRIVMSG #general :\u0001ACTION waves\u0001');
      const [action] = await nextEvent<[RoomMessage]>(bob, 'message', (m) => m.text === 'waves');
      assert.equal(action.action, true);
    } finally {
      irc.close();
    }
  });

  it('direct messages both ways; a sealed one is a notice, never garbage', async () => {
    const irc = await IrcClient.connect(team, ircPort, 'alice');
    try {
      await register(irc, 'alice');
      await irc.expect(/ 366 alice #general /);
      const heard = nextEvent<[DirectMessage]>(bob, 'dm', (m) => m.from === 'alice');
      irc.send('PRIVMSG bob :psst');
      assert.equal((await heard)[0].text, 'psst');
      await bob.dm('alice', 'psst back');
      assert.match(
        await irc.expect(/PRIVMSG alice :psst back$/),
        /^@.*:bob!bob@chat PRIVMSG alice/,
      );
    } finally {
      irc.close();
    }
  });

  // The server remembers refs per user over all their connections: a ref
  // that started again at 1 on each connection made a reconnected (or a
  // second) IRC client's first messages look like resends, acked and dropped.
  it("a user's next IRC connection is heard from its first message", async () => {
    for (const text of ['from the first connection', 'from the next one']) {
      const irc = await IrcClient.connect(team, ircPort, 'alice');
      try {
        await register(irc, 'alice');
        await irc.expect(/ 366 alice #general /);
        const heard = nextEvent<[RoomMessage]>(bob, 'message', (m) => m.text === text);
        irc.send(`PRIVMSG #general :${text}`);
        const [message] = await Promise.race([
          heard,
          new Promise<never>((_, reject) => {
            setTimeout(() => reject(new Error(`bob never got "${text}"`)), 5_000).unref();
          }),
        ]);
        assert.equal(message.from, 'alice');
      } finally {
        irc.close();
        await irc.closed;
      }
    }
  });

  it('takes the certificate name whatever NICK says, and says so', async () => {
    const irc = await IrcClient.connect(team, ircPort, 'alice');
    try {
      irc.send('NICK mallory', 'USER x 0 * :x');
      assert.match(await irc.expect(/ NICK /), /^:mallory!mallory@chat NICK alice$/);
      await irc.expect(/ 001 alice /);
      assert.match(
        await irc.expect(/ NOTICE /),
        /certificate's name, alice \(you asked for mallory\)/,
      );
      irc.send('NICK mallory');
      assert.match(
        await irc.expect(/ 432 /),
        /432 alice mallory :Your nick is your certificate's name: alice/,
      );
    } finally {
      irc.close();
    }
  });

  it('topics both ways, JOIN/PART, and the error numerics', async () => {
    const irc = await IrcClient.connect(team, ircPort, 'alice');
    try {
      irc.send('JOIN #general');
      assert.match(await irc.expect(/ 451 /), /451 \* :You have not registered/);
      await register(irc, 'alice', 'server-time');
      await irc.expect(/ 366 alice #general /);
      irc.send('JOIN #irc-room');
      await irc.expect(/^:alice!alice@chat JOIN #irc-room$/);
      await irc.expect(/ 366 alice #irc-room /);
      irc.send('TOPIC #irc-room :gateways');
      assert.match(
        await irc.expect(/ TOPIC #irc-room /),
        /^@time=\S+ :alice!alice@chat TOPIC #irc-room :?gateways$/,
      );
      irc.send('TOPIC #irc-room');
      await irc.expect(/ 332 alice #irc-room :?gateways$/);
      irc.send('PRIVMSG #elsewhere :hi');
      await irc.expect(/ 404 alice #elsewhere /);
      irc.send('JOIN #Not_A_Room!');
      await irc.expect(/ 403 alice #Not_A_Room! /);
      irc.send('FROBNICATE');
      await irc.expect(/ 421 alice FROBNICATE :Unknown command$/);
      irc.send('PRIVMSG #irc-room :');
      await irc.expect(/ 412 alice /);
      irc.send(`PRIVMSG #irc-room :${'x'.repeat(600)}`);
      await irc.expect(/ NOTICE alice :line dropped/);
      irc.send('PART #irc-room');
      await irc.expect(/^:alice!alice@chat PART #irc-room :?part$/);
      irc.send('QUIT :bye');
      await irc.expect(/^ERROR :Closing link/);
      await irc.closed;
    } finally {
      irc.close();
    }
  });

  it('refuses a client without a certificate in the TLS handshake', async () => {
    const credentials = await team.credentials('alice');
    const socket = tls.connect({
      host: '127.0.0.1',
      port: ircPort,
      servername: 'localhost',
      ca: credentials.ca,
    });
    const outcome = await new Promise<string>((resolve) => {
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      socket.once('data', () => resolve('data'));
      socket.once('close', () => resolve('closed'));
    });
    socket.destroy();
    assert.notEqual(outcome, 'data');
  });
});
