import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `chat` as a user gets it: packed by `npm pack`, installed by `npm i -g`. */
export interface InstalledChat {
  /** The temporary folder that holds everything below; `cleanup()` removes it. */
  dir: string;
  /** The tarball's paths, `package/` taken off (e.g. `dist/cli.js`). */
  tarball: string[];
  /** Where npm put the package: PREFIX/lib/node_modules/chat. */
  packageDir: string;
  /** PREFIX/bin/chat: the command npm linked. */
  bin: string;
  /** What `npm i -g` printed (stdout, then stderr). */
  npmOutput: string;
  /**
   * An environment with nothing of the checkout in it: PATH is PREFIX/bin,
   * node's folder and the system's; HOME is `home`; no NODE_PATH or
   * NODE_OPTIONS, no npm_* variables of the `npm test` running this.
   */
  env: (home: string) => NodeJS.ProcessEnv;
  cleanup: () => Promise<void>;
}

/**
 * This process's environment with the npm_* variables that `npm test` sets
 * unset (undefined: spawn leaves them out, also where merged over process.env).
 */
function withoutNpm(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).map(([name, value]) => [
      name,
      name.toLowerCase().startsWith('npm_') ? undefined : value,
    ]),
  );
}

/**
 * Packs this checkout with `npm pack` (which runs `prepack`: the patches,
 * then the build into dist/) and installs the tarball with
 * `npm i -g --prefix` (install scripts on) into a fresh temporary folder,
 * offline. Takes a few seconds: call it once, in a `before()`.
 */
export async function installPackedChat(): Promise<InstalledChat> {
  // realpath: on some systems tmpdir() is a symlink, and chat prints real paths.
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'chat-package-')));
  const prefix = join(dir, 'prefix');
  const npmHome = join(dir, 'npm-home');
  await mkdir(npmHome);
  const env = {
    ...withoutNpm(),
    HOME: npmHome,
    npm_config_cache: join(dir, 'npm-cache'),
    npm_config_update_notifier: 'false',
  };
  const flags = ['--offline', '--no-audit', '--no-fund'];
  await exec('npm', ['pack', '--pack-destination', dir, ...flags], { cwd: ROOT, env });
  const tgz = join(dir, 'chat-0.1.0.tgz');
  const listed = await exec('tar', ['-tzf', tgz]);
  const tarball = listed.stdout
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(/^package\//, ''));
  const installed = await exec('npm', ['i', '-g', '--prefix', prefix, ...flags, tgz], {
    cwd: dir,
    env,
  });
  const system = ['/usr/local/bin', '/usr/bin', '/bin'];
  return {
    dir,
    tarball,
    packageDir: join(prefix, 'lib', 'node_modules', 'chat'),
    bin: join(prefix, 'bin', 'chat'),
    npmOutput: installed.stdout + installed.stderr,
    env: (home) => ({
      ...withoutNpm(),
      PATH: [join(prefix, 'bin'), dirname(process.execPath), ...system].join(':'),
      HOME: home,
      NODE_PATH: '',
      NODE_OPTIONS: '',
    }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
