/**
 * The worker thread that owns every container pty (see ptyThread.ts). It only
 * reads and writes them, so it reads a flood as fast as the kernel hands it
 * over, whatever the main thread is doing, and passes the output on in
 * batches: one at a time, the next once the main thread has taken the last
 * and BATCH_MS have passed. In a flood the main thread gets a few big
 * batches, however slow or busy it is; after a quiet spell (a key's echo)
 * output goes at once. Output stays bytes, handed over without a copy, and
 * each batch ends on a whole UTF-8 character.
 */
import { parentPort } from 'node:worker_threads';
import { spawn, type IPty } from 'node-pty';
import type { FromPtyThread, ToPtyThread } from './ptyThread.js';

/** Batches are at least this far apart: in a flood, each message costs more than the bytes it carries. */
const BATCH_MS = 5;
/** Output the main thread has not taken beyond this pauses reading: a stalled main thread cannot grow memory without bound. */
const HIGH_WATER = 8 * 1024 * 1024;

interface ThreadedPty {
  readonly id: number;
  readonly pty: IPty;
  pending: Buffer[];
  pendingLength: number;
  /** A batch is on its way to the main thread: the next one waits until it is taken. */
  batchInFlight: boolean;
  lastBatchAt: number;
  batchTimer: NodeJS.Timeout | null;
  /** Paused by its owner (backpressure from the main thread) and/or because the main thread has not taken enough. */
  pausedByOwner: boolean;
  pausedForRoom: boolean;
}

const port = parentPort!;
const ptys = new Map<number, ThreadedPty>();
const post = (message: FromPtyThread, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (message: ToPtyThread) => {
  if (message.kind === 'spawn') return start(message);
  const entry = ptys.get(message.id);
  if (!entry) return; // it has exited: nothing left to write to, resize or read
  switch (message.kind) {
    case 'write':
      return entry.pty.write(message.data);
    case 'resize':
      try {
        return entry.pty.resize(message.cols, message.rows);
      } catch {
        return; // the pty closed between its exit and our hearing of it: the exit message follows
      }
    case 'pause':
      entry.pausedByOwner = true;
      return entry.pty.pause();
    case 'resume':
      entry.pausedByOwner = false;
      return resumeUnlessPaused(entry);
    case 'taken':
      entry.batchInFlight = false;
      scheduleBatch(entry);
      if (entry.pausedForRoom) {
        entry.pausedForRoom = false;
        resumeUnlessPaused(entry);
      }
  }
});

function start({ id, file, args, options }: Extract<ToPtyThread, { kind: 'spawn' }>): void {
  let pty: IPty;
  try {
    pty = spawn(file, args, { ...options, encoding: null });
  } catch (error) {
    post({ kind: 'failed', id, message: error instanceof Error ? error.message : String(error) });
    return;
  }
  const entry: ThreadedPty = {
    id, pty, pending: [], pendingLength: 0, batchInFlight: false, lastBatchAt: 0, batchTimer: null, pausedByOwner: false, pausedForRoom: false,
  };
  ptys.set(id, entry);
  post({ kind: 'spawned', id, pid: pty.pid });
  // With no encoding node-pty gives Buffers (its types say string).
  pty.onData((data) => {
    entry.pending.push(data as unknown as Buffer);
    entry.pendingLength += data.length;
    scheduleBatch(entry);
    if (entry.pendingLength > HIGH_WATER && !entry.pausedForRoom) {
      entry.pausedForRoom = true;
      pty.pause();
    }
  });
  // node-pty reports the exit once all output has been read: it all goes before the exit.
  pty.onExit(({ exitCode }) => {
    ptys.delete(id);
    if (entry.batchTimer) clearTimeout(entry.batchTimer);
    if (entry.pending.length) sendBatch(entry, true);
    post({ kind: 'exit', id, exitCode });
  });
}

function scheduleBatch(entry: ThreadedPty): void {
  if (entry.batchInFlight || entry.batchTimer || entry.pending.length === 0) return;
  const wait = entry.lastBatchAt + BATCH_MS - performance.now();
  if (wait <= 0) return sendBatch(entry);
  entry.batchTimer = setTimeout(() => {
    entry.batchTimer = null;
    sendBatch(entry);
  }, wait);
}

/** All pending output but a character cut short at its end (unless `last`), copied into a buffer of its own to hand over. */
function sendBatch(entry: ThreadedPty, last = false): void {
  // allocUnsafeSlow: not a slice of Node's shared pool, which cannot be handed over.
  const data = Buffer.allocUnsafeSlow(entry.pendingLength);
  let at = 0;
  for (const chunk of entry.pending) at += chunk.copy(data, at);
  const whole = last ? data.length : data.length - partialCharacterLength(data);
  if (whole === 0) return; // only the start of a character: wait for the rest
  entry.pending = whole < data.length ? [Buffer.from(data.subarray(whole))] : [];
  entry.pendingLength = data.length - whole;
  entry.batchInFlight = true;
  entry.lastBatchAt = performance.now();
  post({ kind: 'output', id: entry.id, data: data.subarray(0, whole) }, [data.buffer]);
}

/** How many bytes at the end of `bytes` begin a UTF-8 character that is not complete yet. */
function partialCharacterLength(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back];
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: the lead is further back
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}

function resumeUnlessPaused(entry: ThreadedPty): void {
  if (!entry.pausedByOwner && !entry.pausedForRoom) entry.pty.resume();
}
