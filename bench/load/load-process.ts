/**
 * The driver's side of the load process: starts bench/load/fanout-load.ts
 * as a child with an IPC channel and runs cases on it one at a time, each
 * bounded by a timeout.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ROOT, track } from '../lib/servers.ts';
import type { CaseSpec, LoadReply, LoadRequest, PhaseResult } from './spec.ts';

const LOAD_SCRIPT = fileURLToPath(new URL('./fanout-load.ts', import.meta.url));

/** What a case gave: its phases, or why it failed. */
export type CaseOutcome =
  | { ok: true; connectMs: number; resumed: number; phases: PhaseResult[] }
  | { ok: false; error: string };

export class LoadProcess {
  private readonly child: ChildProcess;
  private nextId = 1;

  constructor() {
    this.child = track(
      fork(LOAD_SCRIPT, [], {
        cwd: ROOT,
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
  }

  /** The load process's pid, for its CPU time. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** False once the process has exited (or was killed for a case that hung). */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.connected;
  }

  /** Runs one case; a case that does not answer within `timeoutMs` fails (and the process is killed). */
  run(spec: CaseSpec, timeoutMs: number): Promise<CaseOutcome> {
    const id = this.nextId++;
    return new Promise<CaseOutcome>((resolve) => {
      const done = (outcome: CaseOutcome) => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        resolve(outcome);
      };
      const onMessage = (reply: LoadReply) => {
        if (reply.id !== id) return;
        if (reply.type === 'done') {
          done({
            ok: true,
            connectMs: reply.connectMs,
            resumed: reply.resumed,
            phases: reply.phases,
          });
        } else {
          done({ ok: false, error: reply.message });
        }
      };
      const onExit = (code: number | null) =>
        done({ ok: false, error: `the load process exited (${code})` });
      const timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        done({ ok: false, error: `no answer within ${Math.round(timeoutMs / 1000)} s` });
      }, timeoutMs);
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      if (this.child.exitCode !== null || !this.child.connected) {
        done({ ok: false, error: 'the load process is not running' });
        return;
      }
      this.child.send({ type: 'run', id, spec } satisfies LoadRequest);
    });
  }

  /** Asks the process to exit and waits for it (killed after 5 s). */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    if (this.child.connected) this.child.send({ type: 'exit' } satisfies LoadRequest);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
