/**
 * Containers on a real pseudo-terminal (startPty): the terminal's signals,
 * job control and size reach the container's programs, and output arrives
 * whole. Every test starts real containers; each waits on what the terminal
 * shows or on the container's processes as /proc tells them, never on a
 * sleep alone.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { startPty, type ExitStatus, type PtyContainer } from '../src/runtime/container.js';
import { addon } from '../src/runtime/native.js';
import type { ContainerSpec } from '../src/runtime/spec.js';
import { assertNothingLeft, hostMounts, outcome, ROOTFS, stateDirs } from './helpers.js';

const mountsBefore = hostMounts();

const COLS = 80;
const ROWS = 24;
/** How long any one expected marker may take to show up. */
const MARKER_TIMEOUT_MS = 10_000;

/** A container on a pty, with everything it has printed so far. */
class Term {
  /** All output since the first byte. */
  text = '';
  private readonly waiters = new Set<() => void>();
  private exit: ExitStatus | null = null;

  private constructor(readonly c: PtyContainer) {
    c.onData((data) => {
      this.text += data.toString();
      for (const waiter of this.waiters) waiter();
    });
    void c.wait().then((status) => {
      this.exit = status;
      for (const waiter of this.waiters) waiter();
    });
  }

  static async start(spec: Omit<ContainerSpec, 'rootfs'>, size = { cols: COLS, rows: ROWS }): Promise<Term> {
    return new Term(await startPty({ rootfs: ROOTFS, ...spec }, size));
  }

  /** Where the output ends now: pass to waitFor to look only at what comes after. */
  mark(): number {
    return this.text.length;
  }

  /** Type `line` and a carriage return, as at a keyboard; returns the mark from before. */
  type(line: string): number {
    const from = this.mark();
    this.c.write(`${line}\r`);
    return from;
  }

  /** Wait until the output after `from` matches `pattern`; fails on timeout or if the container ends first. */
  waitFor(pattern: RegExp, from = 0, timeoutMs = MARKER_TIMEOUT_MS): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const match = this.text.slice(from).match(pattern);
        if (match) {
          done();
          resolve(match);
        } else if (this.exit) {
          done();
          reject(new Error(`container ended (${JSON.stringify(this.exit)}) before ${pattern} appeared; output: ${this.tail(from)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${pattern} did not appear within ${timeoutMs} ms; output: ${this.tail(from)}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  private tail(from: number): string {
    return JSON.stringify(this.text.slice(from).slice(-600));
  }

  /** End the container if a test failed halfway, so none outlives its test. */
  async dispose(): Promise<void> {
    if (this.c.running) this.c.kill();
    await this.c.wait();
  }
}

interface ProcInfo {
  hostPid: number;
  comm: string;
  state: string;
  pgrp: number;
  /** The foreground process group of its controlling terminal. */
  tpgid: number;
}

/** The container's processes, read from the host's /proc (host PIDs). */
function containerProcs(c: PtyContainer): ProcInfo[] {
  let ns: string;
  try {
    ns = fs.readlinkSync(`/proc/${c.hostPid}/ns/pid`);
  } catch {
    return [];
  }
  const procs: ProcInfo[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (fs.readlinkSync(`/proc/${name}/ns/pid`) !== ns) continue;
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // Fields after the command: state ppid pgrp session tty_nr tpgid ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.push({ hostPid: Number(name), comm, state: fields[0], pgrp: Number(fields[2]), tpgid: Number(fields[5]) });
    } catch {
      // Gone meanwhile.
    }
  }
  return procs;
}

/** Poll until `predicate` holds, failing with `what` after the timeout. */
async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = MARKER_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Wait until a process named `comm` runs (not stopped) as the terminal's foreground group: Ctrl-C would reach it. */
function waitForForeground(t: Term, comm: string): Promise<ProcInfo> {
  return until(`${comm} in the terminal's foreground`, () =>
    containerProcs(t.c).find((p) => p.comm === comm && p.pgrp === p.tpgid && p.state !== 'T' && p.state !== 'Z'),
  );
}

/**
 * The container's processes named `comm` that have not ended. A zombie has:
 * a child that bash forked and Ctrl-C killed before it could exec is an
 * orphan, and the shell, as PID 1, reaps it only at its next wait.
 */
function named(t: Term, comm: string): ProcInfo[] {
  return containerProcs(t.c).filter((p) => p.comm === comm && p.state !== 'Z');
}

/** Resolves with the exit status, or fails if the container has not ended within `ms`. */
async function waitWithin(t: Term, ms: number): Promise<ExitStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`container still running after ${ms} ms; output: ${JSON.stringify(t.text.slice(-600))}`)), ms);
  });
  try {
    return await Promise.race([t.c.wait(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The process has exited (gone, or a zombie its parent has not reaped yet). */
function hasEnded(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** The container's PID namespace, to find its processes by once PID 1 is gone (null if it already is). */
function pidNamespace(c: PtyContainer): string | null {
  try {
    return fs.readlinkSync(`/proc/${c.hostPid}/ns/pid`);
  } catch {
    return null;
  }
}

/**
 * Once wait() has resolved, nothing of this one container is left: no process
 * in its PID namespace, no cgroup, no state directory. (The after hook checks
 * the whole host; this names the container that leaked, if one does.)
 */
function assertContainerGone(c: PtyContainer, ns: string | null): void {
  const inNamespace = fs.readdirSync('/proc').filter((name) => {
    if (ns === null || !/^\d+$/.test(name)) return false;
    try {
      return fs.readlinkSync(`/proc/${name}/ns/pid`) === ns;
    } catch {
      return false;
    }
  });
  assert.deepEqual(inNamespace, [], `processes of container ${c.id} left running`);
  for (const dir of [c.cgroup.pids, c.cgroup.memory].filter((d) => d !== '')) {
    assert.equal(fs.existsSync(dir), false, `cgroup ${dir} of container ${c.id} left behind`);
  }
  assert.deepEqual(
    stateDirs().filter((name) => name.includes(c.id)),
    [],
    `state of container ${c.id} left behind`,
  );
}

/** Run `body` on a fresh container that is always gone afterwards. */
async function withTerm(spec: Omit<ContainerSpec, 'rootfs'>, body: (t: Term) => Promise<void>): Promise<void> {
  const t = await Term.start(spec);
  const ns = pidNamespace(t.c);
  try {
    assert.ok(ns !== null, 'the container is running');
    await body(t);
  } finally {
    await t.dispose();
  }
  assertContainerGone(t.c, ns);
}

describe('containers on a pty', () => {
  after(() => assertNothingLeft(mountsBefore));

  it('Ctrl-C stops a sleep started from the shell, and the shell goes on', { timeout: 30_000 }, () =>
    withTerm({ command: ['/bin/sh'] }, async (t) => {
      await t.waitFor(/# $/); // the prompt
      let from = t.type('echo before-$((2+3)); sleep 100');
      await t.waitFor(/before-5/, from);
      const sleep = await waitForForeground(t, 'sleep');
      const interrupted = Date.now();
      from = t.mark();
      t.c.write('\x03');
      await t.waitFor(/\^C/, from); // the line discipline echoes it
      await t.waitFor(/# $/, from); // a new prompt
      from = t.type('echo after-$((1+1))');
      await t.waitFor(/after-2\r\n/, from);
      assert.ok(Date.now() - interrupted < 5_000, 'the shell came back long before sleep 100 would have ended');
      assert.deepEqual(named(t, 'sleep'), [], `sleep (host PID ${sleep.hostPid}) has ended`);
      t.type('exit 0');
      const status = await waitWithin(t, 5_000);
      assert.deepEqual(outcome(status), { code: 0, signal: null, oomKilled: false, error: null });
    }),
  );

  it('job control in bash: Ctrl-Z stops a job, jobs lists it, fg resumes it, Ctrl-C ends it', { timeout: 30_000 }, () =>
    withTerm({ command: ['/bin/bash', '--norc', '--noprofile'] }, async (t) => {
      await t.waitFor(/# $/);
      let from = t.type('echo before-$((2+3)); sleep 100');
      await t.waitFor(/before-5/, from);
      const sleep = await waitForForeground(t, 'sleep');

      from = t.mark();
      t.c.write('\x1a');
      await t.waitFor(/\[1\]\+\s+Stopped\s+sleep 100/, from);
      await t.waitFor(/# $/, from);
      assert.equal(named(t, 'sleep')[0]?.state, 'T', 'sleep is stopped');
      from = t.type('jobs; echo jobs-done-$((2*2))');
      await t.waitFor(/jobs-done-4\r\n/, from);
      // The echoed command line, then the listing, then the marker.
      const shown = t.text.slice(from);
      const listing = shown.slice(shown.indexOf('\r\n'), shown.indexOf('jobs-done-4'));
      assert.match(listing, /\[1\]\+\s+Stopped\s+sleep 100/);

      from = t.type('fg');
      await t.waitFor(/sleep 100\r\n/, from); // bash names the job it resumes
      const resumed = await waitForForeground(t, 'sleep');
      assert.equal(resumed.hostPid, sleep.hostPid, 'the same sleep runs again');

      from = t.mark();
      t.c.write('\x03');
      await t.waitFor(/# $/, from);
      from = t.type('echo after-$((1+1)); jobs; echo jobs-done-$((2*2))');
      await t.waitFor(/after-2\r\n/, from);
      await t.waitFor(/jobs-done-4\r\n/, from);
      const tail = t.text.slice(from);
      assert.doesNotMatch(tail.slice(tail.indexOf('after-2')), /Stopped|Running/, 'no job is left');
      assert.deepEqual(named(t, 'sleep'), []);

      t.type('exit 0');
      const status = await waitWithin(t, 5_000);
      assert.equal(status.code, 0);
      assert.equal(status.signal, null);
    }),
  );

  it("the terminal is a pty of the container's own devpts (tty says /dev/pts/0); no fd of the host's reaches it", { timeout: 30_000 }, () =>
    withTerm({ command: ['/bin/sh'] }, async (t) => {
      await t.waitFor(/# $/);
      const from = t.type('tty');
      await t.waitFor(/\r\n\/dev\/pts\/0\r\n# $/, from);
      const hostDevpts = fs.statSync('/dev/pts/ptmx').dev;
      for (const fd of fs.readdirSync(`/proc/${t.c.hostPid}/fd`)) {
        const target = fs.statSync(`/proc/${t.c.hostPid}/fd/${fd}`);
        assert.notEqual(target.dev, hostDevpts, `fd ${fd} of the container's shell is a pty of the host's`);
      }
      t.type('exit');
      assert.equal((await waitWithin(t, 5_000)).code, 0);
    }),
  );

  it('the window size reaches programs, and a resize sends SIGWINCH to the foreground program', { timeout: 30_000 }, () =>
    withTerm({ command: ['/bin/sh'] }, async (t) => {
      await t.waitFor(/# $/);
      let from = t.type('stty size');
      await t.waitFor(/\r\n24 80\r\n# $/, from);

      t.c.resize(100, 30);
      from = t.type('stty size');
      await t.waitFor(/\r\n30 100\r\n# $/, from);

      // A foreground program with a WINCH trap reports the new size when the signal comes.
      // (One resize per program: bash drops a WINCH that arrives while its trap still runs.)
      const winchProgram = (n: number): string =>
        `bash --norc -c 'trap "echo winch-\\$(stty size)" WINCH; echo ready-$((${n}*3)); while :; do sleep 0.05; done'`;
      for (const [n, cols, rows] of [
        [3, 120, 40],
        [4, 90, 35],
      ]) {
        from = t.type(winchProgram(n));
        await t.waitFor(new RegExp(`ready-${n * 3}\r\n`), from);
        await waitForForeground(t, 'bash');
        from = t.mark();
        t.c.resize(cols, rows);
        await t.waitFor(new RegExp(`winch-${rows} ${cols}\r\n`), from);
        // Ctrl-C ends it and the shell is back.
        from = t.mark();
        t.c.write('\x03');
        await t.waitFor(/# $/, from);
        assert.deepEqual(named(t, 'bash'), []);
      }

      from = t.type('stty size');
      await t.waitFor(/\r\n35 90\r\n# $/, from);
      t.type('exit 0');
      assert.equal((await waitWithin(t, 5_000)).code, 0);
    }),
  );

  it('with init, Ctrl-C stops "sleep 100" run as the command: code 130', { timeout: 20_000 }, () =>
    withTerm({ command: ['sleep', '100'], init: true }, async (t) => {
      const sleep = await waitForForeground(t, 'sleep');
      assert.notEqual(sleep.hostPid, t.c.hostPid, 'init is PID 1, sleep its child');
      const interrupted = Date.now();
      t.c.write('\x03');
      const status = await waitWithin(t, 5_000);
      assert.ok(Date.now() - interrupted < 5_000);
      assert.equal(status.code, 130);
      assert.equal(status.error, null);
      assert.equal(status.oomKilled, false);
    }),
  );

  it('without init, "sleep 100" as PID 1 shrugs off Ctrl-C; stop kills it after the grace period: code 137', { timeout: 20_000 }, () =>
    withTerm({ command: ['sleep', '100'] }, async (t) => {
      const sleep = await waitForForeground(t, 'sleep');
      assert.equal(sleep.hostPid, t.c.hostPid, 'sleep itself is PID 1');
      t.c.write('\x03');
      await t.waitFor(/\^C/); // the terminal took the keystroke
      // Nothing to wait for but time: PID 1 ignores SIGINT, so nothing changes.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(t.c.running, true);
      assert.ok(t.c.stats().pids.current >= 1);
      assert.equal(named(t, 'sleep').length, 1);

      const stopping = Date.now();
      const status = await t.c.stop(1_000);
      const elapsed = Date.now() - stopping;
      assert.equal(status.code, 137);
      assert.equal(status.signal, 'SIGKILL');
      assert.ok(elapsed >= 900, `SIGTERM alone does not end PID 1 (ended after ${elapsed} ms)`);
      assert.ok(elapsed < 5_000, `stop took ${elapsed} ms`);
    }),
  );

  it("the console's master is ours alone: the shim holds no pty, and relays nothing", { timeout: 30_000 }, () =>
    withTerm({ command: ['/bin/sh'] }, async (t) => {
      await t.waitFor(/# $/);
      const shimPid = Number(fs.readFileSync(`/proc/${t.c.hostPid}/stat`, 'utf8').split(' ')[3]);
      const ptys = (pid: number) =>
        fs.readdirSync(`/proc/${pid}/fd`).filter((fd) => {
          const target = fs.statSync(`/proc/${pid}/fd/${fd}`, { throwIfNoEntry: false });
          return (
            target?.isCharacterDevice() && (target.rdev === fs.statSync('/dev/ptmx').rdev || fs.readlinkSync(`/proc/${pid}/fd/${fd}`).includes('pts'))
          );
        });
      assert.deepEqual(ptys(shimPid), [], "the shim's fds");
      const ours = ptys(process.pid).filter((fd) => fs.readlinkSync(`/proc/self/fd/${fd}`) === '/dev/pts/ptmx');
      assert.ok(ours.length >= 1, "this process holds the master of the container's devpts");
      t.type('exit');
      assert.equal((await waitWithin(t, 5_000)).code, 0);
    }),
  );

  it('typing a program does not read yet waits in a queue: the caller never blocks, and every byte arrives', { timeout: 30_000 }, () =>
    withTerm({ command: ['sh', '-c', 'stty raw -echo; echo ready; sleep 1; head -c 300000 | wc -c'] }, async (t) => {
      await t.waitFor(/ready/);
      const begin = performance.now();
      t.c.write('x'.repeat(300_000)); // a pty takes 4 KiB of input the program has not read
      const tookMs = performance.now() - begin;
      assert.ok(tookMs < 500, `write returned after ${tookMs.toFixed(0)} ms, not once the program had read it (a second later)`);
      await t.waitFor(/\b300000\b/);
      assert.equal((await waitWithin(t, 5_000)).code, 0);
    }),
  );

  it('reports a SIGKILLed shim as 137 and why, not as a clean exit', async () => {
    const c = await startPty({ rootfs: ROOTFS, command: ['sleep', '100'] }, { cols: COLS, rows: ROWS });
    const shimPid = Number(fs.readFileSync(`/proc/${c.hostPid}/stat`, 'utf8').split(' ')[3]);
    process.kill(shimPid, 'SIGKILL');
    const status = await c.wait();
    assert.deepEqual([status.code, status.error], [137, 'the runtime shim was killed by SIGKILL before it reported how the container ended']);
    assert.ok(addon().gc(false) >= 0, 'gc removes what the dead shim left');
  });

  it('seq 1 20000 on a pty delivers every line, 50 runs in a row', { timeout: 120_000 }, async () => {
    const expected = Array.from({ length: 20_000 }, (_, i) => String(i + 1));
    for (let run = 0; run < 50; run++) {
      const c = await startPty({ rootfs: ROOTFS, command: ['seq', '1', '20000'] }, { cols: COLS, rows: ROWS });
      const ns = pidNamespace(c); // null if seq has already finished: then only cgroups and state are checked
      let text = '';
      c.onData((data) => (text += data.toString()));
      const status = await c.wait();
      // Complete when wait() resolves: nothing may come after.
      const atExit = text;
      assert.deepEqual(outcome(status), { code: 0, signal: null, oomKilled: false, error: null }, `run ${run}`);
      assert.ok(atExit.endsWith('\r\n'), `run ${run}: output ends with a whole line`);
      const lines = atExit.slice(0, -2).split('\r\n');
      if (lines.length !== expected.length || lines.some((line, i) => line !== expected[i])) {
        const first = lines.findIndex((line, i) => line !== expected[i]);
        assert.fail(`run ${run}: ${lines.length} lines, first difference at line ${first + 1}: ${JSON.stringify(lines[first])}`);
      }
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(text, atExit, `run ${run}: output arrived after wait() resolved`);
      assertContainerGone(c, ns);
    }
  });

  it('reads the terminal on its own thread: a flood ends while JavaScript is busy, and arrives whole', { timeout: 30_000 }, async () => {
    const c = await startPty({ rootfs: ROOTFS, command: ['seq', '1', '300000'] }, { cols: COLS, rows: ROWS });
    let text = '';
    c.onData((data) => (text += data.toString()));
    // Read on the main thread, seq would block once the pty holds a few KiB, and still be there after the block.
    const blockUntil = Date.now() + 1000;
    while (Date.now() < blockUntil);
    assert.ok(hasEnded(c.hostPid), 'seq wrote its 2 MB and ended while the main thread was blocked');
    assert.equal((await c.wait()).code, 0);
    assert.equal(text, Array.from({ length: 300_000 }, (_, i) => `${i + 1}\r\n`).join(''));
  });

  it('stops reading a flood the main thread does not take: what waits for it stays bounded', { timeout: 30_000 }, async () => {
    const c = await startPty({ rootfs: ROOTFS, command: ['yes', 'a fairly long line of output, over and over'] }, { cols: COLS, rows: ROWS });
    try {
      const batches: number[] = [];
      const threeBatches = new Promise<void>((resolve) => c.onData((data) => batches.push(data.length) === 3 && resolve()));
      // yes writes some 50 MB a second: the reader thread reads on while we are blocked, up to its limit.
      const blockUntil = Date.now() + 1000;
      while (Date.now() < blockUntil);
      await threeBatches;
      const biggest = Math.max(...batches);
      assert.ok(biggest > 4 * 2 ** 20, `the thread read on while the main thread was blocked (biggest batch ${biggest} bytes)`);
      assert.ok(biggest < 9 * 2 ** 20, `and stopped near its 8 MiB limit (biggest batch ${biggest} bytes)`);
    } finally {
      c.kill();
      await c.wait();
    }
  });

  it('pause stops the reading: the program blocks on the full pty until resume, and nothing is lost', { timeout: 30_000 }, async () => {
    const c = await startPty({ rootfs: ROOTFS, command: ['seq', '1', '3000000'] }, { cols: COLS, rows: ROWS });
    const chunks: Buffer[] = [];
    let received = 0;
    c.onData((data) => {
      chunks.push(data);
      received += data.length;
    });
    c.pause();
    // What was read before the pause comes in; then nothing more, however long we look.
    let seen = -1;
    while (seen !== received) {
      seen = received;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Unpaused, seq writes its 21 MB in well under a second, and the output would still be growing.
    assert.ok(!hasEnded(c.hostPid), `seq is blocked on the full pty (${seen} bytes read)`);
    assert.ok(seen < 2 ** 20, `only what was read before the pause came in (${seen} bytes)`);
    c.resume();
    assert.equal((await c.wait()).code, 0);
    assert.equal(Buffer.concat(chunks).toString(), Array.from({ length: 3_000_000 }, (_, i) => `${i + 1}\r\n`).join(''));
  });

  it('output comes in batches of whole UTF-8 characters, however the pty reads cut it', { timeout: 30_000 }, async () => {
    // 15 bytes a line, 5 of them inside a character: many 4 KiB reads end inside one.
    const c = await startPty(
      { rootfs: ROOTFS, command: ['awk', 'BEGIN { for (i = 10000; i < 410000; i++) print i "世界é" }'] },
      { cols: COLS, rows: ROWS },
    );
    const strict = new TextDecoder('utf-8', { fatal: true });
    let text = '';
    let batches = 0;
    c.onData((data) => {
      text += strict.decode(data); // throws on a character cut short
      batches++;
    });
    assert.equal((await c.wait()).code, 0);
    assert.ok(batches > 10, `${batches} batches`);
    assert.equal(text, Array.from({ length: 400_000 }, (_, i) => `${i + 10_000}世界é\r\n`).join(''));
  });

  it('the shell is PID 1: echo $$ prints 1', { timeout: 20_000 }, () =>
    withTerm({ command: ['/bin/sh'] }, async (t) => {
      await t.waitFor(/# $/);
      const from = t.type('echo pid-$$');
      const [, pid] = await t.waitFor(/pid-(\d+)\r\n/, from);
      assert.equal(pid, '1');
      t.type('exit 0');
      assert.equal((await waitWithin(t, 5_000)).code, 0);
    }),
  );
});
