/**
 * The shim's status messages (see native/shim.c): tab-separated fields,
 *   start <host pid> <cgroup version> <memory cgroup dir> <pids cgroup dir>
 *   exit  <code> <signal name or ""> <OOM kills> <memory peak> <memory limit> <error message or "">
 * (the memory fields "" without a memory cgroup, the peak "" when unknown, a limit of 0 for none)
 * On a pipe they come one a line; on a pty they come in-band, each wrapped as
 * ESC ] 7770 ; <nonce> ; <message> BEL between the container's own output.
 */

export interface CgroupDirs {
  version: 1 | 2;
  memory: string;
  pids: string;
}

/** A container's memory over its whole life, read from its cgroup once it has ended. */
export interface MemoryUsage {
  /** Bytes; null where the kernel keeps no peak. */
  peak: number | null;
  /** Bytes; null for no limit. */
  limit: number | null;
  oomKills: number;
}

export type StatusMessage =
  | { kind: 'start'; hostPid: number; cgroup: CgroupDirs }
  | { kind: 'exit'; code: number; signal: string | null; oomKilled: boolean; memory: MemoryUsage | null; error: string | null };

export function parseStatus(line: string): StatusMessage | null {
  const fields = line.split('\t');
  if (fields[0] === 'start' && fields.length === 5) {
    const version = Number(fields[2]) === 2 ? 2 : 1;
    return { kind: 'start', hostPid: Number(fields[1]), cgroup: { version, memory: fields[3], pids: fields[4] } };
  }
  if (fields[0] === 'exit' && fields.length === 7) {
    const [, code, signal, oomKills, peak, limit, error] = fields;
    const memory = oomKills === '' ? null : { peak: peak === '' ? null : Number(peak), limit: Number(limit) || null, oomKills: Number(oomKills) };
    return { kind: 'exit', code: Number(code), signal: signal || null, oomKilled: (memory?.oomKills ?? 0) > 0, memory, error: error || null };
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

/** What ends an in-band message. */
const BEL = 0x07;

/**
 * Takes the shim's in-band messages out of a pty's output. Markers can be
 * split across chunks: a tail that could be the start of one is held back
 * until the next chunk shows whether it is. Without the nonce, the container
 * cannot forge a marker; it only ever passes through as output. Works on
 * bytes, so output passes untouched and undecoded: a marker is ASCII, so
 * what it cuts out never splits a character.
 */
export class InBandStatusFilter {
  private readonly prefix: Buffer;
  private held: Buffer = Buffer.alloc(0);

  constructor(nonce: string) {
    this.prefix = Buffer.from(`\x1b]7770;${nonce};`);
  }

  push(chunk: Buffer, onOutput: (bytes: Buffer) => void, onStatus: (message: string) => void): void {
    let bytes = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = Buffer.alloc(0);
    for (;;) {
      const start = bytes.indexOf(this.prefix);
      if (start < 0) break;
      const end = bytes.indexOf(BEL, start + this.prefix.length);
      if (end < 0) {
        this.held = bytes.subarray(start);
        bytes = bytes.subarray(0, start);
        break;
      }
      if (start > 0) onOutput(bytes.subarray(0, start));
      onStatus(bytes.toString('utf8', start + this.prefix.length, end));
      bytes = bytes.subarray(end + 1);
    }
    if (this.held.length === 0) {
      const keep = partialPrefixLength(bytes, this.prefix);
      this.held = bytes.subarray(bytes.length - keep);
      bytes = bytes.subarray(0, bytes.length - keep);
    }
    if (bytes.length) onOutput(bytes);
  }
}

/** Length of the longest tail of `bytes` that is a proper prefix of `prefix`. */
function partialPrefixLength(bytes: Buffer, prefix: Buffer): number {
  for (let i = Math.max(0, bytes.length - prefix.length + 1); i < bytes.length; i++) {
    if (prefix.subarray(0, bytes.length - i).equals(bytes.subarray(i))) return bytes.length - i;
  }
  return 0;
}
