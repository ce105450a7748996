import assert from 'node:assert/strict';
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initPki } from '../../src/pki/init-pki.ts';
import { pkiLayout } from '../../src/pki/layout.ts';
import { tempDir } from '../helpers/pki.ts';

const modeOf = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

describe('which directories chat certs makes private', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    dir = await tempDir();
  });
  after(() => dir.cleanup());

  it('tightens a certs directory that holds only its README (as the repo ships it)', async () => {
    const certs = join(dir.path, 'shipped');
    await mkdir(certs);
    await writeFile(join(certs, 'README.md'), 'keys go here\n');
    await chmod(certs, 0o755);
    const report = await initPki({ layout: pkiLayout(certs), now: new Date() }, { user: 'root' });
    assert.equal(await modeOf(certs), '700');
    assert.ok(!report.some((l) => l.status === 'note'), JSON.stringify(report));
  });

  it('leaves a directory that holds other files as it was, and says so', async () => {
    const project = join(dir.path, 'project');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), '{}');
    await chmod(project, 0o755);
    const report = await initPki({ layout: pkiLayout(project), now: new Date() }, { user: 'root' });
    assert.equal(await modeOf(project), '755');
    assert.equal(await modeOf(join(project, 'ca.key')), '600');
    const notes = report.filter((l) => l.status === 'note').map((l) => l.text);
    assert.equal(notes.length, 1, JSON.stringify(report));
    assert.match(notes[0] ?? '', /project is readable by others \(mode 755\).*chmod 700/);
  });
});
