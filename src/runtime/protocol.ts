/**
 * The shim's status messages (see native/shim.c): tab-separated fields,
 *   start <host pid> <cgroup version> <memory cgroup dir> <pids cgroup dir>
 *   exit  <code> <signal name or ""> <oom-killed 0|1> <error message or "">
 * On a pipe they come one a line; on a pty they come in-band, each wrapped as
 * ESC ] 7770 ; <nonce> ; <message> BEL between the container's own output.
 */

export interface CgroupDirs {
  version: 1 | 2;
  memory: string;
  pids: string;
}

export type StatusMessage =
  | { kind: 'start'; hostPid: number; cgroup: CgroupDirs }
  | { kind: 'exit'; code: number; signal: string | null; oomKilled: boolean; error: string | null };

export function parseStatus(line: string): StatusMessage | null {
  const fields = line.split('\t');
  if (fields[0] === 'start' && fields.length === 5) {
    const version = Number(fields[2]) === 2 ? 2 : 1;
    return { kind: 'start', hostPid: Number(fields[1]), cgroup: { version, memory: fields[3], pids: fields[4] } };
  }
  if (fields[0] === 'exit' && fields.length === 5) {
    return {
      kind: 'exit',
      code: Number(fields[1]),
      signal: fields[2] || null,
      oomKilled: fields[3] === '1',
      error: fields[4] || null,
    };
  }
  return null;
}

/** Splits a stream of text into lines, keeping a partial last line for the next chunk. */
export class LineSplitter {
  private partial = '';

  push(chunk: string, onLine: (line: string) => void): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  }
}

/**
 * Takes the shim's in-band messages out of a pty's output. Markers can be
 * split across chunks: a tail that could be the start of one is held back
 * until the next chunk shows whether it is. Without the nonce, the container
 * cannot forge a marker; it only ever passes through as output.
 */
export class InBandStatusFilter {
  private readonly prefix: string;
  private held = '';

  constructor(nonce: string) {
    this.prefix = `\x1b]7770;${nonce};`;
  }

  push(chunk: string, onOutput: (text: string) => void, onStatus: (message: string) => void): void {
    let text = this.held + chunk;
    this.held = '';
    for (;;) {
      const start = text.indexOf(this.prefix);
      if (start < 0) break;
      const end = text.indexOf('\x07', start + this.prefix.length);
      if (end < 0) {
        this.held = text.slice(start);
        text = text.slice(0, start);
        break;
      }
      if (start > 0) onOutput(text.slice(0, start));
      onStatus(text.slice(start + this.prefix.length, end));
      text = text.slice(end + 1);
    }
    if (this.held === '') {
      const keep = partialPrefixLength(text, this.prefix);
      this.held = text.slice(text.length - keep);
      text = text.slice(0, text.length - keep);
    }
    if (text !== '') onOutput(text);
  }
}

/** Length of the longest tail of `text` that is a proper prefix of `prefix`. */
function partialPrefixLength(text: string, prefix: string): number {
  const from = Math.max(0, text.length - prefix.length + 1);
  for (let i = from; i < text.length; i++) {
    if (prefix.startsWith(text.slice(i))) return text.length - i;
  }
  return 0;
}
