import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listenWarning } from '../../src/server/listen-names.ts';

const DEFAULTS = { dns: ['localhost'], ips: ['127.0.0.1', '0:0:0:0:0:0:0:1'] };
const NAMED = { dns: ['localhost', 'chat.example.com'], ips: [...DEFAULTS.ips, '192.0.2.2'] };

describe('listenWarning', () => {
  const cases: Array<{ host: string; names: typeof DEFAULTS; warns: RegExp | undefined }> = [
    { host: '127.0.0.1', names: DEFAULTS, warns: undefined },
    { host: '::1', names: DEFAULTS, warns: undefined },
    { host: 'localhost', names: DEFAULTS, warns: undefined },
    { host: '0.0.0.0', names: DEFAULTS, warns: /every interface.*--host NAME --ip ADDRESS/ },
    { host: '::', names: DEFAULTS, warns: /every interface/ },
    { host: '0.0.0.0', names: NAMED, warns: undefined },
    { host: '192.0.2.2', names: NAMED, warns: undefined },
    { host: '192.0.2.3', names: NAMED, warns: /does not name 192\.0\.2\.3.*--ip 192\.0\.2\.3/ },
    { host: 'CHAT.example.com', names: NAMED, warns: undefined },
    { host: 'other.example.com', names: NAMED, warns: /--host other\.example\.com/ },
    { host: '2001:db8::1', names: NAMED, warns: /--ip 2001:db8::1/ },
    {
      host: '2001:db8::1',
      names: { dns: [], ips: ['2001:DB8:0:0:0:0:0:1'] },
      warns: undefined,
    },
  ];
  for (const { host, names, warns } of cases) {
    it(`${host} with ${[...names.dns, ...names.ips].join(' ')}: ${warns ? 'warns' : 'fine'}`, () => {
      const warning = listenWarning(host, names);
      if (warns === undefined) assert.equal(warning, undefined);
      else assert.match(warning ?? '', warns);
    });
  }
});
