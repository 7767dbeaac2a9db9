/**
 * Drives the real baby-docker-tui for the bench, as a person's terminal
 * would: the TUI runs under a pty of a chosen size and its output is parsed
 * by an @xterm/headless terminal of that size, so "on screen" means what a
 * person would see. Also the tmux baseline, the pty alone and the test file.
 */
import xterm from '@xterm/headless';
import { spawn as spawnPty, type IPty } from 'node-pty';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPty } from '../src/runtime/container.js';
import { layoutFor, SIDE_WIDTH } from '../src/ui/layout.js';

/** This file sits in dist/bench once compiled. */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TUI_PATH = path.join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'baby-docker-tui.js');

/** The container's terminal (the pane's inside) for every TUI case. */
export const PANE_COLS = 200;
export const PANE_ROWS = 50;
/** The outer terminal that gives that pane (layout.ts): side panel and pane borders beside; borders, footer and Ink's spare last row below. */
export const OUTER_COLS = PANE_COLS + SIDE_WIDTH + 2;
export const OUTER_ROWS = PANE_ROWS + 2 + 1 + 1;

const CLK_TCK = 100; // sysconf(_SC_CLK_TCK): 100 on every Linux build

export const now = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Rejects after `ms`, so no measurement can hang the bench. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The environment `sudo baby-docker` runs with (sudo's env_reset, as Debian
 * configures it), for every program the bench times. Not the bench's own: a
 * variable of the caller's can slow every Node start (NODE_EXTRA_CA_CERTS
 * alone costs some 50 ms, spent parsing certificates before any JavaScript
 * runs), and CI makes Ink ignore resizes.
 */
export function sudoEnv(): Record<string, string> {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: '/root',
    USER: 'root',
    LOGNAME: 'root',
    TERM: 'xterm-256color',
    ...(process.env.LANG ? { LANG: process.env.LANG } : {}),
  };
}

/** One baby-docker-tui process running `command` on the default rootfs, in a pty of OUTER_COLS x OUTER_ROWS. */
export class Tui {
  readonly startedAt = now();
  private readonly pty: IPty;
  private readonly screen = new xterm.Terminal({ cols: OUTER_COLS, rows: OUTER_ROWS, allowProposedApi: true, scrollback: 0 });
  /** Called with every raw chunk as it arrives. */
  private readonly rawWatchers = new Set<(chunk: string) => void>();
  /** Called once the screen has parsed a chunk. */
  private readonly screenWatchers = new Set<() => void>();
  readonly exited: Promise<void>;

  constructor(command: string[], configDir: string) {
    const layout = layoutFor(OUTER_COLS, OUTER_ROWS);
    if (layout.termCols !== PANE_COLS || layout.termRows !== PANE_ROWS) {
      throw new Error(`layout.ts gives a ${layout.termCols}x${layout.termRows} pane for ${OUTER_COLS}x${OUTER_ROWS}, not ${PANE_COLS}x${PANE_ROWS}`);
    }
    this.pty = spawnPty(process.execPath, [TUI_PATH, 'default', ...command], {
      name: 'xterm-256color',
      cols: OUTER_COLS,
      rows: OUTER_ROWS,
      cwd: '/',
      env: { ...sudoEnv(), XDG_CONFIG_HOME: configDir }, // a private config dir: the bench stays out of the user's history
    });
    this.pty.onData((chunk) => {
      for (const watcher of this.rawWatchers) watcher(chunk);
      this.screen.write(chunk, () => {
        for (const watcher of this.screenWatchers) watcher();
      });
    });
    this.exited = new Promise((resolve) => this.pty.onExit(() => resolve()));
  }

  get pid(): number {
    return this.pty.pid;
  }

  /** The screen as text, one string per row. */
  lines(): string[] {
    const buffer = this.screen.buffer.active;
    const rows: string[] = [];
    for (let y = 0; y < this.screen.rows; y++) rows.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
    return rows;
  }

  /** The footer: Ink draws rows - 1 lines, the last of them is the footer. */
  footer(): string {
    return this.lines()[OUTER_ROWS - 2];
  }

  /** Type keys; returns the time they were written. */
  press(keys: string): number {
    const at = now();
    this.pty.write(keys);
    return at;
  }

  /** Resolves with the time `test` first holds for the parsed screen (checked now and after every chunk). */
  waitForScreen(test: (tui: Tui) => boolean, timeoutMs: number, what: string): Promise<number> {
    let watcher = (): void => {};
    const seen = new Promise<number>((resolve) => {
      watcher = () => {
        if (test(this)) resolve(now());
      };
      this.screenWatchers.add(watcher);
      watcher();
    });
    return withTimeout(seen, timeoutMs, what).finally(() => this.screenWatchers.delete(watcher));
  }

  /**
   * Resolves with the time `text` first arrives in the raw output written
   * from now on: the moment the TUI wrote it, with no parsing or polling delay.
   */
  waitForOutput(text: string, timeoutMs: number): Promise<number> {
    let watcher = (_chunk: string): void => {};
    const seen = new Promise<number>((resolve) => {
      let tail = ''; // the end of the previous chunk, for a match split across two
      watcher = (chunk) => {
        const at = now();
        const window = tail + chunk;
        if (window.includes(text)) resolve(at);
        tail = window.slice(Math.max(0, window.length - text.length + 1));
      };
      this.rawWatchers.add(watcher);
    });
    return withTimeout(seen, timeoutMs, `"${text}" in the output`).finally(() => this.rawWatchers.delete(watcher));
  }

  /** CPU seconds (user + system) the TUI's node process has used so far. */
  cpuSeconds(): number {
    const stat = fs.readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  }

  /** The TUI's resident memory now, in bytes. */
  rssBytes(): number {
    const kib = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${this.pid}/status`, 'utf8'))?.[1];
    return Number(kib) * 1024;
  }

  /** SIGTERM (the TUI removes its container), SIGKILL if it does not go within 5 s. */
  async close(): Promise<void> {
    try {
      this.pty.kill('SIGTERM');
      await withTimeout(this.exited, 5000, 'the TUI to exit');
    } catch {
      try {
        this.pty.kill('SIGKILL');
      } catch {
        // already gone
      }
      await withTimeout(this.exited, 5000, 'the TUI to die').catch(() => {});
    } finally {
      this.screen.dispose();
    }
  }
}

/** Run `body` with a fresh TUI running `command`, always closing it. */
export async function withTui<T>(command: string[], configDir: string, body: (tui: Tui) => Promise<T>): Promise<T> {
  const tui = new Tui(command, configDir);
  try {
    return await body(tui);
  } finally {
    await tui.close();
  }
}

/** The exit panel's "exit code N", or null while the container runs. */
function exitCodeShown(tui: Tui): number | null {
  for (const line of tui.lines()) {
    const found = /exit code (\d+)/.exec(line);
    if (found) return Number(found[1]);
  }
  return null;
}

/** Waits until the exit panel shows an exit code (and `also` holds); throws unless it is 0, say when the file is missing. */
async function waitForExit0(tui: Tui, timeoutMs: number, what: string, also = (_tui: Tui) => true): Promise<number> {
  // The code as the screen that matched showed it: a screen read later (the watcher's next call included)
  // may be mid-way through the next frame.
  let code: number | null = null;
  const at = await tui.waitForScreen(
    (t) => {
      const shown = exitCodeShown(t);
      if (shown === null || !also(t)) return false;
      code ??= shown;
      return true;
    },
    timeoutMs,
    what,
  );
  if (code !== 0) throw new Error(`${what}: exit code ${code}, not 0`);
  return at;
}

/** Writes `bytes` of printable text: 80-byte lines, each numbered, so no two are alike. */
export function writeTextFile(file: string, bytes: number): void {
  const lineBytes = 80;
  const lines: string[] = [];
  for (let i = 0; i * lineBytes < bytes; i++) {
    lines.push(`line ${String(i).padStart(8, '0')} the quick brown fox jumps over the lazy dog`.padEnd(lineBytes - 1, '.') + '\n');
  }
  fs.writeFileSync(file, lines.join('').slice(0, bytes));
}

/**
 * `cat FILE` in a detached tmux pane of PANE_COLS x PANE_ROWS on a private
 * server (no config), from starting tmux until cat has finished; the server
 * is killed afterwards, outside the time.
 */
export async function timeTmuxCat(file: string): Promise<number> {
  const socket = `bd-bench-${process.pid}`;
  const tmux = (args: string[]): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = spawn('tmux', ['-L', socket, '-f', '/dev/null', ...args], { stdio: 'ignore' });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tmux ${args[0]} exited with ${code}`))));
    });
  const begin = now();
  try {
    await tmux(['new-session', '-d', '-x', String(PANE_COLS), '-y', String(PANE_ROWS), `cat ${file}; tmux -L ${socket} wait-for -S done`]);
    await withTimeout(tmux(['wait-for', 'done']), 60_000, 'tmux cat');
    return now() - begin;
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
  }
}

/** A private XDG_CONFIG_HOME for the TUI's history; the caller removes it. */
export function makeConfigDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bd-bench-tui-'));
}

/** The pane's first row (below its top border) starts with `text`, as the container drew it. */
const paneStartsWith = (tui: Tui, text: string): boolean => tui.lines()[1].slice(SIDE_WIDTH).startsWith(`│${text}`);

/** `cat FILE` (a path inside the container) in the TUI: from spawning it until the exit panel says "exit code 0". */
export async function timeTuiCat(fileInContainer: string, configDir: string): Promise<number> {
  return withTui(['cat', fileInContainer], configDir, async (tui) => {
    // The screen is searched only once the TUI has written "exit code": searching it after every chunk
    // of the flood would take the bench's CPU from the TUI it measures (tmux's side has no watcher).
    await tui.waitForOutput('exit code', 120_000);
    const shown = await waitForExit0(tui, 120_000, 'cat in the TUI');
    return shown - tui.startedAt;
  });
}

/**
 * The same cat through the runtime alone, its output read and dropped: what
 * the pty itself allows, with no emulator and no UI. In this warm process, so
 * without Node's start-up (which the TUI's time includes, and tmux has none of).
 */
export async function timeBareCat(rootfs: string, fileInContainer: string): Promise<number> {
  const begin = now();
  const container = await startPty({ rootfs, command: ['cat', fileInContainer] }, { cols: PANE_COLS, rows: PANE_ROWS });
  container.onData(() => {});
  const status = await container.wait();
  if (status.code !== 0) throw new Error(`cat through the runtime alone: exit code ${status.code}`);
  return now() - begin;
}

/**
 * What the pane's history costs: the TUI's resident memory with a shell at
 * its prompt, then after `lines` lines of output (the history keeps the last
 * SCROLLBACK_LINES of them), each after a GC-friendly pause.
 */
export async function scrollbackMemory(lines: number, configDir: string): Promise<{ idle: number; after: number }> {
  return withTui(['/bin/sh'], configDir, async (tui) => {
    await tui.waitForScreen((t) => paneStartsWith(t, '# '), 15_000, 'the shell prompt');
    await sleep(2000);
    const idle = tui.rssBytes();
    const done = tui.waitForOutput('history-filled', 60_000);
    tui.press(`seq -f 'line %.0f of the output that fills the history' 1 ${lines}; echo history-filled\r`);
    await done;
    await sleep(2000);
    return { idle, after: tui.rssBytes() };
  });
}

/** % of one core the TUI uses over `seconds` with a shell idle at its prompt. */
export async function idleCpuPercent(seconds: number, configDir: string): Promise<number> {
  return withTui(['/bin/sh'], configDir, async (tui) => {
    await tui.waitForScreen((t) => paneStartsWith(t, '# '), 15_000, 'the shell prompt');
    await sleep(1000); // let start-up work (first stats poll, JIT, GC) finish: idle means idle
    const [cpu0, wall0] = [tui.cpuSeconds(), now()];
    await sleep(seconds * 1000);
    const [cpu1, wall1] = [tui.cpuSeconds(), now()];
    return ((cpu1 - cpu0) / ((wall1 - wall0) / 1000)) * 100;
  });
}

/**
 * With a finished container on screen, `r` re-runs it: ms from writing the
 * key until the new container's first output leaves the TUI. The container
 * cats a marker file rewritten before each press, so its output is new each
 * time while the command line (shown in the title) stays the same.
 */
export async function rerunLatencies(markerFile: string, markerInContainer: string, runs: number, configDir: string): Promise<number[]> {
  fs.writeFileSync(markerFile, 'rerun-marker-0\n');
  return withTui(['cat', markerInContainer], configDir, async (tui) => {
    // The pane's title names the run: "#2 <id> cat ...".
    const isRun = (seq: number) => (t: Tui) => t.lines()[0].includes(`#${seq} `);
    await waitForExit0(tui, 15_000, 'run #1', isRun(1));
    const latencies: number[] = [];
    for (let seq = 2; seq <= runs + 1; seq++) {
      await sleep(200); // the UI is idle before the key, as when a person presses it
      const marker = `rerun-marker-${seq}`;
      fs.writeFileSync(markerFile, `${marker}\n`);
      const seen = tui.waitForOutput(marker, 5000);
      const pressed = tui.press('r');
      latencies.push((await seen) - pressed);
      await waitForExit0(tui, 5000, `run #${seq}`, isRun(seq));
    }
    return latencies;
  });
}

/**
 * With `yes` flooding the pane, ms from writing the prefix key until the
 * footer's prefix mode (its command list, "r re-run ...") leaves the TUI;
 * then Esc disarms it and the footer must go back before the next press.
 */
export async function prefixLatenciesDuringFlood(presses: number, configDir: string): Promise<number[]> {
  return withTui(['yes'], configDir, async (tui) => {
    await tui.waitForScreen((t) => paneStartsWith(t, 'y'), 15_000, 'yes to fill the pane');
    const passthrough = (t: Tui): boolean => t.footer().startsWith('keys go to the container');
    const latencies: number[] = [];
    for (let i = 0; i < presses; i++) {
      await sleep(100);
      const seen = tui.waitForOutput('re-run', 5000); // only the prefix footer says it
      const pressed = tui.press('\x1d');
      latencies.push((await seen) - pressed);
      await tui.waitForScreen((t) => t.footer().startsWith('Ctrl-] r re-run'), 5000, 'the prefix footer');
      tui.press('\x1b');
      await tui.waitForScreen(passthrough, 5000, 'the footer back after Esc');
    }
    return latencies;
  });
}
