/**
 * What the benchmarks read about another process from Linux's /proc: CPU
 * time and resident memory. Linux only; a process that has exited reads as
 * an error (ENOENT).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';

/**
 * Clock ticks per second of /proc/PID/stat (USER_HZ). Linux fixes it at 100
 * for user space on every architecture, whatever the kernel's own HZ.
 */
const TICKS_PER_SECOND = 100;

/**
 * CPU time the process has used so far, user plus system (utime + stime of
 * /proc/PID/stat), in ms. Its resolution is one tick: 10 ms.
 */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15; after the name, field 3 is index 0.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/**
 * CPU time the process has run so far, summed over its threads from
 * /proc/PID/task/TID/schedstat, in ms with nanosecond resolution; cpuMs
 * when schedstat is missing (a kernel without CONFIG_SCHED_INFO). For short
 * windows, where cpuMs's 10 ms ticks are too coarse.
 */
export async function preciseCpuMs(pid: number): Promise<number> {
  try {
    const tasks = await readdir(`/proc/${pid}/task`);
    const runtimes = await Promise.all(
      tasks.map((tid) =>
        // A thread may end between the listing and the read: it counts 0.
        readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').then(
          (text) => Number(text.split(' ')[0]),
          () => 0,
        ),
      ),
    );
    return runtimes.reduce((sum, ns) => sum + ns, 0) / 1e6;
  } catch {
    return cpuMs(pid);
  }
}

/**
 * CPU time the whole machine has been busy so far, summed over its CPUs, in
 * ms (the first line of /proc/stat: everything but idle and iowait; guest
 * time is already inside user). Over a window, minus what the measured
 * processes used, it is what other processes took.
 */
export async function machineBusyMs(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0] ?? '';
  const [user, nice, system, , , irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = [user, nice, system, irq, softirq, steal].reduce<number>(
    (sum, n) => sum + (n ?? 0),
    0,
  );
  return (busy * 1000) / TICKS_PER_SECOND;
}

async function statusKiB(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
}

/** Peak resident set size of the process (VmHWM of /proc/PID/status), in MiB. */
export async function peakRssMiB(pid: number): Promise<number> {
  return (await statusKiB(pid, 'VmHWM')) / 1024;
}

/** Resident set size of the process now (VmRSS of /proc/PID/status), in MiB. */
export async function rssMiB(pid: number): Promise<number> {
  return (await statusKiB(pid, 'VmRSS')) / 1024;
}

/**
 * Sets the process's peak RSS (VmHWM) back to its current RSS, so that the
 * next peakRssMiB is the peak of what follows (Linux 4.0+, writing 5 to
 * /proc/PID/clear_refs). False when not allowed (another user's process).
 */
export async function resetPeakRss(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves once the process is idle: under `threshold` of one core (0.1 =
 * 10%) over a window of `windowMs` (measured with preciseCpuMs), so
 * start-up or tear-down work is not counted in the next measurement. Gives
 * up after `timeoutMs` and resolves false.
 */
export async function waitIdle(
  pid: number,
  { windowMs = 100, threshold = 0.1, timeoutMs = 10_000 } = {},
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let before = await preciseCpuMs(pid);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const now = await preciseCpuMs(pid);
    if (now - before <= threshold * windowMs) return true;
    before = now;
  }
  return false;
}
