import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatError } from '../../src/errors.ts';
import { fileError } from '../../src/fs/files.ts';

const fsError = (code: string, path = '/x/certs/.ca.key.0123456789ab.tmp') =>
  Object.assign(new Error(`${code}: something, open '${path}'`), { code, path });

describe('fileError', () => {
  const cases: Array<[string, 'read' | 'write', string, RegExp]> = [
    ['EACCES', 'read', 'FILE_UNREADABLE', /^cannot read certs\/ca\.key: permission denied$/],
    ['EACCES', 'write', 'DIR_UNWRITABLE', /^cannot write to certs\/ca\.key: permission denied$/],
    [
      'EROFS',
      'write',
      'DIR_UNWRITABLE',
      /^cannot write to certs\/ca\.key: the file system is read-only$/,
    ],
    ['ENOSPC', 'write', 'DIR_UNWRITABLE', /^cannot write to certs\/ca\.key: the disk is full$/],
    ['EISDIR', 'read', 'FILE_UNREADABLE', /^cannot read certs\/ca\.key: it is a directory$/],
    ['ENOTDIR', 'read', 'NOT_A_DIRECTORY', /is not a directory/],
    ['EIO', 'read', 'FILE_UNREADABLE', /^cannot read certs\/ca\.key: EIO: /],
    ['EIO', 'write', 'DIR_UNWRITABLE', /^cannot use certs\/ca\.key: EIO: /],
  ];
  for (const [code, action, expected, message] of cases) {
    it(`turns ${code} on ${action} into ${expected}, one line`, () => {
      const error = fileError(fsError(code), 'certs/ca.key', 'fix it', action);
      assert.equal(error.code, expected);
      assert.match(error.message, message);
      assert.equal(error.hint?.includes('\n'), false);
    });
  }
  it('says "write" when not told', () =>
    assert.equal(fileError(fsError('EACCES'), 'certs', 'fix it').code, 'DIR_UNWRITABLE'));
  it('passes a ChatError through', () => {
    const original = new ChatError('NO_CA', 'no CA');
    assert.equal(fileError(original, 'certs', 'fix it', 'read'), original);
  });
});
