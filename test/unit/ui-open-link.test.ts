import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openerCommand, openNotice } from '../../src/ui/tui/open-link.ts';

describe('openerCommand', () => {
  const url = 'https://example.com/?a=1&b=%PATH%';
  const cases: Array<[NodeJS.Platform, string, string[]]> = [
    ['linux', 'xdg-open', [url]],
    ['freebsd', 'xdg-open', [url]],
    ['darwin', 'open', [url]],
    // No cmd.exe: it would run what follows '&' and expand %PATH%.
    ['win32', 'rundll32', ['url.dll,FileProtocolHandler', url]],
  ];
  for (const [platform, command, args] of cases) {
    it(`${platform}: ${command}, the URL one argument`, () =>
      assert.deepEqual(openerCommand(url, platform), { command, args }));
  }
});

describe('openNotice', () => {
  const url = 'https://example.com';
  const cases: Array<[Parameters<typeof openNotice>[2], string]> = [
    [{ kind: 'opened' }, 'opened 2: https://example.com'],
    [
      { kind: 'failed', command: 'xdg-open', code: 'ENOENT' },
      'cannot open link 2: xdg-open was not found; install xdg-utils, or copy the link from the pane',
    ],
    [
      { kind: 'failed', command: 'xdg-open', status: 4 },
      'xdg-open could not open link 2 (exit status 4): is a default browser set?',
    ],
    [
      { kind: 'failed', command: 'open', code: 'EACCES' },
      'cannot open link 2: open failed (EACCES); copy the link from the pane',
    ],
  ];
  for (const [outcome, text] of cases) {
    it(text, () => assert.equal(openNotice(2, url, outcome), text));
  }
});
