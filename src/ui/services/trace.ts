/**
 * Where the TUI's time goes, for profiling it: with BD_TUI_TRACE=FILE, each mark appends a line to FILE:
 * the time (ms, performance.now()), the CPU the process has used so far (ms, all threads) and a label.
 * Written at once (synchronously), so the marks around a step are exact; unset, a mark costs a test.
 */
import * as fs from 'node:fs';

/** The trace file, opened for appending; -1 without one, or when it cannot be opened (tracing never stops the TUI). */
function openTrace(file: string | undefined): number {
  if (!file) return -1;
  try {
    return fs.openSync(file, 'a');
  } catch (error) {
    process.stderr.write(`baby-docker-tui: BD_TUI_TRACE: ${(error as Error).message}: not tracing\n`);
    return -1;
  }
}

const fd = openTrace(process.env.BD_TUI_TRACE);

/** Marks are being written: work done only for them can be skipped otherwise. */
export const tracing = fd >= 0;

export function mark(label: string): void {
  if (fd < 0) return;
  const { user, system } = process.cpuUsage();
  fs.writeSync(fd, `${performance.now().toFixed(3)} ${((user + system) / 1000).toFixed(3)} ${label}\n`);
}
