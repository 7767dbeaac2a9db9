/**
 * The shim's status messages (see native/shim.c): tab-separated fields,
 *   start <host pid> <cgroup version> <memory cgroup dir> <pids cgroup dir> [<network> <address/prefix> <gateway> <fallback>]
 *   exit  <code> <signal name or ""> <OOM kills> <memory peak> <memory limit> <error message or "">
 * (the memory fields "" without a memory cgroup, the peak "" when unknown, a limit of 0 for none)
 * one a line, on a pipe or a unix socket of the caller's: never on the
 * container's stdio or terminal, which the container could jam or forge.
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

/** The network a container got (an exec's start has none). */
export interface ContainerNetwork {
  /** "none" also where the default bridge fell back (see fallback). */
  mode: 'none' | 'host' | 'bridge';
  /** On the bridge: "10.88.0.2/24"; else null. */
  address: string | null;
  gateway: string | null;
  /** Why the default bridge fell back to none, or null. */
  fallback: string | null;
}

export type StatusMessage =
  | { kind: 'start'; hostPid: number; cgroup: CgroupDirs; network: ContainerNetwork | null }
  | { kind: 'exit'; code: number; signal: string | null; oomKilled: boolean; memory: MemoryUsage | null; error: string | null };

export function parseStatus(line: string): StatusMessage | null {
  const fields = line.split('\t');
  if (fields[0] === 'start' && (fields.length === 5 || fields.length === 9)) {
    const version = Number(fields[2]) === 2 ? 2 : 1;
    const [mode, address, gateway, fallback] = fields.slice(5);
    const network: ContainerNetwork | null =
      mode === 'none' || mode === 'host' || mode === 'bridge'
        ? { mode, address: address || null, gateway: gateway || null, fallback: fallback || null }
        : null;
    return { kind: 'start', hostPid: Number(fields[1]), cgroup: { version, memory: fields[3], pids: fields[4] }, network };
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
