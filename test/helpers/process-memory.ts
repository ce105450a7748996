import { readFile } from 'node:fs/promises';

/** A process's resident set size, in bytes, from /proc/PID/status (Linux). */
export async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/**
 * Samples a process's RSS every `everyMs` until stopped: the largest value
 * seen and the samples, for a test's diagnostics.
 */
export function sampleRss(pid: number, everyMs: number) {
  const samples: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  let reading: Promise<void> = Promise.resolve();
  const tick = () => {
    reading = rssOf(pid)
      .then((rss) => {
        samples.push(rss);
      })
      .catch(() => {});
    timer = setTimeout(() => void reading.then(tick), everyMs);
  };
  tick();
  return {
    samples,
    /** Stops sampling; resolves with the largest RSS seen, in bytes. */
    async stop(): Promise<number> {
      clearTimeout(timer);
      await reading;
      return Math.max(0, ...samples);
    },
  };
}
