import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The real `chat` launcher, as `npx chat` runs it. */
export const CHAT_BIN = fileURLToPath(new URL('../../bin/chat.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `chat ARGS` as a child process in `cwd` and collects its output. */
export function runChat(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHAT_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, CHAT_CERTS_DIR: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
