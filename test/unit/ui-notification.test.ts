import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_BODY_CHARS,
  messageAlert,
  notificationBytes,
  notificationField,
  tmuxPassthrough,
} from '../../src/ui/text/notification.ts';
import { envelopeShape } from '../helpers/envelope-shape.ts';

const ESC = '\u001b';

describe('notification bytes', () => {
  it('writes OSC 777 with title and body, then OSC 9, each ended by ST', () => {
    assert.equal(
      notificationBytes({ title: 'alice in #general', body: 'bob: lunch?' }, false),
      `${ESC}]777;notify;alice in #general;bob: lunch?${ESC}\\` +
        `${ESC}]9;alice in #general: bob: lunch?${ESC}\\`,
    );
  });

  it('wraps each sequence for tmux, every ESC inside doubled', () => {
    assert.equal(
      tmuxPassthrough(`${ESC}]9;hi${ESC}\\`),
      `${ESC}Ptmux;${ESC}${ESC}]9;hi${ESC}${ESC}\\${ESC}\\`,
    );
    const bytes = notificationBytes({ title: 't', body: 'b' }, true);
    assert.equal(
      bytes,
      `${ESC}Ptmux;${ESC}${ESC}]777;notify;t;b${ESC}${ESC}\\${ESC}\\` +
        `${ESC}Ptmux;${ESC}${ESC}]9;t: b${ESC}${ESC}\\${ESC}\\`,
    );
  });

  it('lets nothing from a peer end the sequence or steer the terminal', () => {
    const hostile = `hi${ESC}\\${ESC}]0;pwned\u0007\u009c\nnext\tline\r`;
    const bytes = notificationBytes({ title: `eve;x${ESC}]`, body: hostile }, false);
    // Exactly the four escapes of the two sequences, and no BEL, C1 ST, CR or LF.
    assert.equal(bytes.split(ESC).length - 1, 4);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: controls are what this looks for.
    assert.doesNotMatch(bytes, /[\u0000-\u001a\u001c-\u001f\u007f-\u009f]/);
    assert.match(bytes, /\]777;notify;eve,x[^;]*;hi/);
  });

  it('bounds the body and the title, by characters', () => {
    const long = notificationField('😀'.repeat(500), MAX_BODY_CHARS);
    assert.equal(Array.from(long).length, MAX_BODY_CHARS);
    assert.ok(long.endsWith('…'));
    assert.equal(notificationField('  a \n\n b  ', 10), 'a b');
  });
});

describe('what alerts', () => {
  const room = {
    type: 'msg',
    room: '#general',
    id: 1,
    ts: 0,
    from: 'alice',
    text: 'hey bob',
  } as const;
  const dm = { type: 'dm', id: 2, ts: 0, from: 'alice', to: 'bob', text: 'psst' } as const;
  it('a mention of me or a DM from someone else, not my own, not before welcome', () => {
    assert.deepEqual(messageAlert(room, 'bob'), { title: 'alice in #general', body: 'hey bob' });
    // A DM in clear says so (the TUI seals every DM: one in clear may be the server's words).
    assert.deepEqual(messageAlert(dm, 'bob'), {
      title: 'alice (direct)',
      body: '(not sealed) psst',
    });
    assert.equal(messageAlert(room, 'carol'), undefined);
    assert.equal(messageAlert({ ...room, from: 'bob', text: 'bob here' }, 'bob'), undefined);
    assert.equal(messageAlert({ ...dm, from: 'bob', to: 'alice' }, 'bob'), undefined);
    assert.equal(messageAlert(dm, undefined), undefined);
    assert.deepEqual(messageAlert({ ...room, action: true, text: 'waves at bob' }, 'bob'), {
      title: 'alice in #general',
      body: 'alice waves at bob',
    });
  });
  it('says a sealed DM is one, never its text', () => {
    const envelope = envelopeShape('alice', 'bob');
    assert.deepEqual(messageAlert({ ...dm, text: '', sealed: envelope }, 'bob'), {
      title: 'alice (direct)',
      body: 'sealed message',
    });
  });
});
