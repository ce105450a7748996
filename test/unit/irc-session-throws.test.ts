// Lines an IRC client may send that once made IrcSession throw (a RangeError
// from serializeIrcLine, for a reply echoing an empty or spaced parameter),
// found by the hostile review: a throw in the socket's 'data' listener took
// the whole server down. IrcSocket now also cuts only the one connection.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ParsedLine, parseIrcLine } from '../../src/server/irc/irc-line.ts';
import { IrcSession } from '../../src/server/irc/irc-session.ts';

function session(welcomed: boolean): IrcSession {
  const s = new IrcSession({ user: 'alice', serverName: 'chat', version: '1', refPrefix: 'ab' });
  if (welcomed) {
    s.fromServer({
      type: 'welcome',
      v: 1,
      user: 'alice',
      server: 'chat',
      motd: '',
      rooms: [{ room: '#general', topic: '', members: ['alice'], lastId: 0 }],
      users: [],
      limits: {
        maxFrameBytes: 65536,
        maxTextChars: 4000,
        ratePerSecond: 5,
        rateBurst: 20,
        maxHistory: 200,
      },
    } as never);
  }
  return s;
}
const parse = (line: string) => parseIrcLine(line) as ParsedLine;

describe('IrcSession never throws on a client line', () => {
  const registered = [
    'WHO',
    'WHOIS',
    'WHOIS :a b',
    'KICK',
    'TOPIC :#a b',
    'NAMES :#a b',
    'MODE :#a b',
    'CAP',
    'CAP :a b',
    'CHATHISTORY :',
    'CHATHISTORY LATEST :#a b',
    'JOIN :#a b',
  ];
  for (const line of registered) {
    it(`registered: ${JSON.stringify(line)}`, () => {
      const s = session(true);
      assert.doesNotThrow(() => s.fromClient(parse(line)));
    });
  }
  it('unregistered: NICK with a space, then any line that gets a numeric', () => {
    const s = session(false);
    s.fromClient(parse('NICK :a b'));
    assert.doesNotThrow(() => s.fromClient(parse('JOIN #x')));
  });
  it('unregistered: NICK starting with ":" via trailing', () => {
    const s = session(false);
    s.fromClient(parse('NICK :::x'));
    assert.doesNotThrow(() => s.fromClient(parse('PRIVMSG x y')));
  });
});

describe('one MODE line asks for at most MODES=4 acts', () => {
  it('"MODE #general +ttt…t" (490 letters) makes at most a handful of moderate frames', () => {
    const s = session(true);
    const out = s.fromClient(parse(`MODE #general +${'t'.repeat(490)}`));
    assert.equal(out.frames.length, 4, `${out.frames.length} moderate frames from one line`);
  });
});
