import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import type { ChatClient } from '../../src/net/chat-client.ts';
import type { DirectMessage, RoomMessage } from '../../src/net/protocol/frames.ts';
import { writeUsers } from '../../src/server/users-file.ts';
import {
  client,
  makeTeam,
  nextEvent,
  type Started,
  startServer,
  type Team,
} from '../helpers/chat-server.ts';
import { tempDir } from '../helpers/pki.ts';
import { usersTable } from '../helpers/users.ts';

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
      irc.send('MOTD');
      await irc.expect(/ (376|422) alice /);
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

      const { id } = await bob.send('#general', 'a typo');
      await irc.expect(/PRIVMSG #general :?a typo$/);
      await bob.edit('#general', id, 'no typo');
      assert.match(
        await irc.expect(/ NOTICE #general :edited a message: no typo$/),
        new RegExp(`msgid=#general/${id}[; ].*:bob!bob@chat NOTICE`),
      );
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
      // As a bot does: JOIN and speak at once, before the JOIN came back.
      const spoke = nextEvent<[RoomMessage]>(bob, 'message', (m) => m.room === '#irc-room');
      const bobIn = nextEvent<[{ room: string; user: string }]>(
        bob,
        'joined',
        (j) => j.room === '#irc-room' && j.user === 'bob',
      );
      bob.join('#irc-room');
      await bobIn;
      irc.send('JOIN #irc-room', 'PRIVMSG #irc-room :first words');
      const refused = irc.expect(/ 404 alice #irc-room /).then(
        (line) => assert.fail(`refused: ${line}`),
        () => new Promise<never>(() => {}),
      );
      const [words] = await Promise.race([spoke, refused]);
      assert.equal(words.text, 'first words');
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

  it('LIST, WHOIS (with the certificate fingerprint), AWAY', async () => {
    const irc = await IrcClient.connect(team, ircPort, 'alice');
    try {
      await register(irc, 'alice');
      await irc.expect(/ 366 alice #general /);
      irc.send('LIST');
      assert.match(await irc.expect(/ 322 /), /322 alice #general \d+ :?/);
      await irc.expect(/ 323 alice /);
      irc.send('WHOIS bob');
      await irc.expect(/ 311 alice bob bob chat \* :?bob$/);
      assert.match(await irc.expect(/ 276 /), /has client certificate fingerprint [0-9A-F:]{95}$/);
      await irc.expect(/ 318 alice bob /);
      irc.send('WHOIS nobody-here');
      await irc.expect(/ 401 alice nobody-here /);
      await irc.expect(/ 318 alice nobody-here /);
      const away = nextEvent<[{ user: string; status: string }]>(
        bob,
        'presence',
        (p) => p.user === 'alice',
      );
      irc.send('AWAY :lunch');
      await irc.expect(/ 306 alice /);
      assert.equal((await away)[0].status, 'away');
      irc.send('AWAY');
      await irc.expect(/ 305 alice /);
    } finally {
      irc.close();
    }
  });

  it('plays the newest messages back after JOIN, and CHATHISTORY pages back, in batches', async () => {
    await bob.send('#general', 'kept for later');
    const irc = await IrcClient.connect(team, ircPort, 'alice');
    try {
      await register(irc, 'alice', 'sasl server-time message-tags batch draft/chathistory');
      await irc.expect(/ 366 alice #general /);
      const opened = await irc.expect(/ BATCH \+\S+ chathistory #general$/);
      const id = /BATCH \+(\S+)/.exec(opened)?.[1] ?? '';
      const kept = await irc.expect(/PRIVMSG #general :?kept for later$/);
      assert.match(kept, new RegExp(`batch=${id}[;\\s]`));
      await irc.expect(new RegExp(` BATCH -${id}$`));
      const msgid = /msgid=([^;\s]+)/.exec(kept)?.[1] ?? '';
      irc.send(`CHATHISTORY BEFORE #general msgid=${msgid} 5`);
      await irc.expect(/ BATCH \+\S+ chathistory #general$/);
      await irc.expect(/ BATCH -\S+$/);
      irc.send('CHATHISTORY AROUND #general * 5');
      await irc.expect(/^:chat FAIL CHATHISTORY INVALID_PARAMS /);
    } finally {
      irc.close();
    }
  });

  it("an operator's KICK and MODE +b reach chat as acts, and come back as IRC lines", async () => {
    const operated = await startServer(team, { ircPort: 0, operators: ['alice'] });
    const port = operated.server.ircAddress()?.port ?? 0;
    const carol = await client(team, operated, 'carol');
    await carol.connect();
    const irc = await IrcClient.connect(team, port, 'alice');
    const bobs = await IrcClient.connect(team, port, 'bob');
    try {
      await register(irc, 'alice');
      await irc.expect(/ 366 alice #general /);
      await register(bobs, 'bob');
      assert.match(await bobs.expect(/ 353 /), /@alice/);
      await bobs.expect(/ 366 bob #general /);
      irc.send('KICK #general carol :enough');
      await irc.expect(/^@\S+ :alice!alice@chat KICK #general carol :?enough$/);
      irc.send('MODE #general +b carol');
      await irc.expect(/ MODE #general \+b carol!\*@\*$/);
      bobs.send('KICK #general alice');
      await bobs.expect(/ 482 bob #general :You're not channel operator/);
      irc.send('MODE #general +x');
      await irc.expect(/ 472 alice x /);
    } finally {
      irc.close();
      bobs.close();
      await carol.close();
      await operated.server.close();
    }
  });

  it('on a server that requires passwords: SASL PLAIN (or PASS) gives the chat password', async () => {
    const data = await tempDir();
    await writeUsers(data.path, await usersTable({ alice: 'pw-irc-Aa1!' }));
    const guarded = await startServer(team, {
      ircPort: 0,
      requirePassword: true,
      dataDir: data.path,
      authFailDelayMs: 10,
    });
    const port = guarded.server.ircAddress()?.port ?? 0;
    try {
      const good = await IrcClient.connect(team, port, 'alice');
      good.send(
        'CAP LS 302',
        'NICK alice',
        'USER alice 0 * :a',
        'CAP REQ :sasl',
        'AUTHENTICATE PLAIN',
      );
      await good.expect(/^AUTHENTICATE \+$/);
      good.send(`AUTHENTICATE ${Buffer.from('alice\0alice\0pw-irc-Aa1!').toString('base64')}`);
      await good.expect(/ 903 /);
      good.send('CAP END');
      await good.expect(/ 001 alice /);
      good.close();

      const wrong = await IrcClient.connect(team, port, 'alice');
      wrong.send('PASS :not-it', 'NICK alice', 'USER alice 0 * :a');
      await wrong.expect(/^ERROR :/);
      await wrong.closed;

      // SASL says success only once the server took the password.
      const liar = await IrcClient.connect(team, port, 'alice');
      liar.send(
        'CAP LS 302',
        'NICK alice',
        'USER alice 0 * :a',
        'CAP REQ :sasl',
        'AUTHENTICATE PLAIN',
      );
      await liar.expect(/^AUTHENTICATE \+$/);
      liar.send(`AUTHENTICATE ${Buffer.from('alice\0alice\0wrong-one').toString('base64')}`);
      await liar.expect(/ 904 alice /);
      await liar.closed;
      assert.ok(!liar.pending().some((line) => / 903 /.test(line)), 'no 903 for a wrong password');

      const none = await IrcClient.connect(team, port, 'alice');
      none.send('NICK alice', 'USER alice 0 * :a');
      assert.match(await none.expect(/^ERROR :/), /SASL PLAIN or PASS/);
      await none.closed;
      const logs = JSON.stringify(guarded.logs);
      assert.ok(
        !logs.includes('pw-irc-Aa1!') && !logs.includes('not-it'),
        'no password in the log',
      );
    } finally {
      await guarded.server.close();
      await data.cleanup();
    }
  });

  it('hostile input: floods are paced, CTCP goes nowhere, control characters are refused as chat refuses them', async () => {
    const irc = await IrcClient.connect(team, ircPort, 'alice');
    try {
      await register(irc, 'alice');
      await irc.expect(/ 366 alice #general /);
      const dms: string[] = [];
      const onDm = (m: DirectMessage) => dms.push(m.text);
      bob.on('dm', onDm);
      // Lines whose replies once threw and took the whole server down.
      irc.send(
        'WHO',
        'WHOIS :a b',
        'KICK',
        'TOPIC :#a b',
        'CAP',
        'CHATHISTORY :',
        'JOIN :#a b',
        'NICK :a b',
      );
      irc.send('PING :still-here');
      await irc.expect(/ PONG chat :?still-here$/);
      irc.send(...Array.from({ length: 100 }, () => 'WHO #general'));
      irc.send(...Array.from({ length: 50 }, () => 'PRIVMSG bob :\u0001VERSION\u0001'));
      await irc.expect(/ NOTICE alice :?line dropped: too many lines at once: slow down$/);
      irc.send('PRIVMSG #general :bell\u0007ring');
      await irc.expect(/ 404 alice #general :Cannot send to channel: .*control characters/);
      // Still connected, and what reaches the server still does.
      const heard = nextEvent<[RoomMessage]>(bob, 'message', (m) => m.text === 'after the flood');
      irc.send('PRIVMSG #general :after the flood');
      await Promise.race([
        heard,
        irc
          .expect(/ 404 alice #general :Cannot send to channel: (?!.*control)/)
          .then((line) => assert.fail(`refused: ${line}`)),
      ]);
      bob.off('dm', onDm);
      assert.deepEqual(dms, [], 'no CTCP reached bob');
      const whoEnds = irc.pending().filter((line) => / 315 /.test(line)).length;
      assert.ok(whoEnds <= 20, `${whoEnds} WHO answered: the burst is 20`);
    } finally {
      irc.close();
    }
  });

  it('plays a room back when it is joined after connecting, up to the join, once', async () => {
    const inRoom = nextEvent<[{ room: string; user: string }]>(
      bob,
      'joined',
      (j) => j.room === '#later' && j.user === 'bob',
    );
    bob.join('#later');
    await inRoom;
    await bob.send('#later', 'said before alice came');
    const irc = await IrcClient.connect(team, ircPort, 'alice');
    try {
      await register(irc, 'alice');
      await irc.expect(/ 366 alice #general /);
      irc.send('JOIN #later');
      await irc.expect(/ 366 alice #later /);
      await irc.expect(/:bob!bob@chat PRIVMSG #later :?said before alice came$/);
      await bob.send('#later', 'said after');
      await irc.expect(/PRIVMSG #later :?said after$/);
      const before = irc.pending().filter((line) => /said before alice came/.test(line));
      assert.deepEqual(before, [], 'played back once');
    } finally {
      irc.close();
    }
  });

  it('NOTICE, NAMES, WHO, away-notify, and 411/442', async () => {
    const irc = await IrcClient.connect(team, ircPort, 'alice');
    try {
      await register(irc, 'alice', 'sasl away-notify');
      await irc.expect(/ 366 alice #general /);
      const noticed = nextEvent<[RoomMessage]>(bob, 'message', (m) => m.text === 'a notice');
      irc.send('NOTICE #general :a notice');
      await noticed;
      irc.send('NAMES #general');
      // Rooms alice joined in earlier tests are named at welcome too: this is #general's.
      assert.match(
        await irc.expect(/ 353 alice = #general /),
        /^:chat 353 alice = #general :?(.*\s)?@?bob(\s|$)/,
      );
      await irc.expect(/ 366 alice #general /);
      irc.send('WHO #general');
      await irc.expect(/^:chat 352 alice #general bob chat chat bob H :0 bob$/);
      await irc.expect(/ 315 alice #general /);
      bob.away('back in five');
      assert.match(await irc.expect(/ AWAY /), /^:bob!bob@chat AWAY :?back in five$/);
      bob.back();
      await irc.expect(/^:bob!bob@chat AWAY$/);
      irc.send('PRIVMSG');
      await irc.expect(/ 411 alice :No recipient given \(PRIVMSG\)$/);
      irc.send('PART #not-mine');
      await irc.expect(/ 442 alice #not-mine /);
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
