/**
 * Where the TUI's time goes, for profiling it: with BD_TUI_TRACE=FILE, each mark appends a line to FILE:
 * the time (ms, performance.now()), the CPU the process has used so far (ms, all threads) and a label.
 * Written at once (synchronously), so the marks around a step are exact; unset, a mark costs a test.
 */
import * as fs from 'node:fs';

const traceFile = process.env.BD_TUI_TRACE;
const fd = traceFile ? fs.openSync(traceFile, 'a') : -1;

/** Marks are being written: work done only for them can be skipped otherwise. */
export const tracing = fd >= 0;

export function mark(label: string): void {
  if (fd < 0) return;
  const { user, system } = process.cpuUsage();
  fs.writeSync(fd, `${performance.now().toFixed(3)} ${((user + system) / 1000).toFixed(3)} ${label}\n`);
}
