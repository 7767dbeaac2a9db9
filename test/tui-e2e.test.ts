/**
 * baby-docker-tui end to end: the built CLI runs in a real terminal (node-pty
 * feeding an @xterm/headless emulator, see tui-driver.ts) and starts real
 * containers on the default rootfs. Every step waits for what the screen
 * shows, never on a sleep alone; a timeout prints the screen.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { assertNothingLeft, CLI_PATH, containerCgroups, containerProcesses, hostMounts, ROOTFS, stateDirs } from './helpers.js';
import { TYPING_PAUSE_MS } from '../src/ui/input.js';
import { PREFIX_KEY } from '../src/ui/keymap.js';
import { LAYERS_DIR } from '../src/runtime/paths.js';
import { TUI_CLI_PATH, TuiDriver, type TuiDriverOptions } from './tui-driver.js';

const mountsBefore = hostMounts();
// The default rootfs exists before the first TUI starts (helpers builds it on import).
assert.ok(fs.existsSync(ROOTFS));

// The TUI remembers rootfs and commands in $XDG_CONFIG_HOME/baby-docker: keep
// the tests' runs out of root's own history, and the picker's list known.
const configHome = fs.mkdtempSync(path.join(os.tmpdir(), 'baby-docker-tui-e2e-'));

const COLS = 140;
const ROWS = 40;
/** The side column's width (src/ui/layout.ts SIDE_WIDTH). */
const SIDE_WIDTH = 34;

/** Narrower than this, a one-line status bar above the pane takes the side column's place (src/ui/layout.ts PANELS_MIN_COLS). */
const PANELS_MIN_COLS = 100;

/**
 * The container's terminal size for a terminal of cols×rows, worked out from
 * src/ui/layout.ts: Ink draws rows-1 lines, one of them the footer, and the
 * pane's border takes 2 rows; the pane is cols minus the side column wide,
 * its border takes 2 columns. On a narrow terminal the pane is as wide as the
 * terminal, and a row shorter: the status bar's.
 */
function innerSize(cols: number, rows: number): { cols: number; rows: number } {
  if (cols < PANELS_MIN_COLS) return { cols: cols - 2, rows: rows - 1 - 1 - 1 - 2 };
  return { cols: cols - SIDE_WIDTH - 2, rows: rows - 1 - 1 - 2 };
}

/** A lab's column is wider, as far as the pane keeps 80 columns (src/ui/layout.ts): at COLS, 140 - 82. */
const LAB_SIDE_WIDTH = COLS - 82;

/** The lines inside the terminal pane's border, trailing blanks trimmed. */
function paneLines(d: TuiDriver, cols = COLS, rows = ROWS, side = SIDE_WIDTH): string[] {
  const inner = innerSize(cols, rows);
  // The pane is right of the side column: its inside starts one past its border.
  return d.region(side + 1, 1, inner.cols - (side - SIDE_WIDTH), inner.rows).map((line) => line.trimEnd());
}

/** The pane's lines that are not blank. */
function paneText(d: TuiDriver, cols = COLS, rows = ROWS): string[] {
  return paneLines(d, cols, rows).filter((line) => line !== '');
}

/** A pane line holding only the shell's prompt (the cursor cell is blank text): a shell waiting for input. */
const PROMPT_LINE = /││# +│$/m;
/** The footer after the prefix: the command keys (a lab's first, while one is followed). */
const PREFIX_FOOTER = /Ctrl-\] (t type .* )?r re-run {2}c on changes {2}e edit/;

/** Every TUI started, so that the after hook can end one a timed-out test left running. */
const drivers = new Set<TuiDriver>();

function startTui(args: string[], options: TuiDriverOptions = {}): TuiDriver {
  const d = new TuiDriver(args, { cols: COLS, rows: ROWS, ...options, env: { XDG_CONFIG_HOME: configHome, ...options.env } });
  drivers.add(d);
  return d;
}

/** Wait until keys typed next are a new burst: those right after keys that went to the container are typing ahead for it. */
function pauseTyping(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, TYPING_PAUSE_MS));
}

/** Ctrl-] q, answer y to "stop it and quit?": the TUI ends with 0. */
async function quitWhileRunning(d: TuiDriver): Promise<void> {
  d.write('\x1d');
  await d.waitFor(PREFIX_FOOTER);
  d.write('q');
  await d.waitFor('A container is running: stop it and quit? (y/n)');
  d.write('y');
  const exit = await d.exited;
  assert.equal(exit.exitCode, 0, `the TUI exited with ${JSON.stringify(exit)}; screen:\n${d.screenText()}`);
}

/** The screen after the terminal was left: the emulator's normal buffer, cursor shown again. */
function assertTerminalRestored(d: TuiDriver): void {
  assert.equal(d.term.buffer.active.type, 'normal', 'the alternate screen was not left');
  const lastShow = d.output.lastIndexOf('\x1b[?25h');
  const lastHide = d.output.lastIndexOf('\x1b[?25l');
  assert.ok(lastShow > lastHide, 'the cursor was left hidden');
}

/** A process and the chain of its parents, for a failure message: whose container is it? */
function describeProcess(pid: number): string {
  const chain: string[] = [];
  for (let p = pid; p > 1 && chain.length < 8;) {
    try {
      const cmdline = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ').trim();
      chain.push(`${p} ${cmdline.length > 100 ? `${cmdline.slice(0, 100)}…` : cmdline}`);
      p = Number(/PPid:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      chain.push(`${p} (gone)`);
      break;
    }
  }
  return chain.join(' <- ');
}

/**
 * assertNothingLeft, saying on failure what the leftover processes are: this
 * checks the whole machine, so a container someone else runs at the same time
 * shows up too (its parents then are not this test's TUI).
 */
function nothingLeft(): void {
  try {
    assertNothingLeft(mountsBefore);
  } catch (error) {
    const processes = containerProcesses().map(describeProcess);
    (error as Error).message += `\nthis test runs as pid ${process.pid}; container processes now:\n  ${processes.join('\n  ') || 'none'}`;
    throw error;
  }
}

/** This run's own container is gone: its processes, cgroup and state directory. Others' do not matter here. */
function assertContainerGone(id: string, hostPid: number): void {
  assert.ok(!containerProcesses().includes(hostPid), `the container's process ${hostPid} is still running: ${describeProcess(hostPid)}`);
  assert.deepEqual(
    containerCgroups().filter((dir) => dir.endsWith(`baby-docker-${id}`)),
    [],
    'its cgroup is left',
  );
  assert.deepEqual(
    stateDirs().filter((dir) => dir.includes(id)),
    [],
    'its state directory is left',
  );
}

/** The current container's id and host PID, from the Container panel. */
function containerOnScreen(d: TuiDriver): { id: string; hostPid: number } {
  const screen = d.screenText();
  const id = screen.match(/│ id ([0-9a-f]{12}) /)?.[1];
  const hostPid = Number(screen.match(/host PID (\d+)/)?.[1]);
  assert.ok(id && hostPid > 0, `no container id and host PID on screen:\n${screen}`);
  return { id, hostPid };
}

/** After a TUI was killed the hard way its container goes a moment later: wait for that (others' containers may stay). */
async function awaitLeftoversGone(timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && (containerProcesses().length || containerCgroups().length || stateDirs().length)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('baby-docker-tui in a real terminal', () => {
  after(async () => {
    // A test that timed out never reached its finally: end its TUI before looking for leftovers.
    const stillRunning = [...drivers].filter((d) => !d.hasExited);
    await Promise.all(stillRunning.map((d) => d.kill(5_000)));
    if (stillRunning.length > 0) await awaitLeftoversGone();
    fs.rmSync(configHome, { recursive: true, force: true });
    nothingLeft();
  });

  it('runs a shell beside live panels, re-runs it, follows a resize and quits', { timeout: 90_000 }, async () => {
    // Changing the hostname inside takes CAP_SYS_ADMIN, as in Docker.
    const d = startTui(['--cap-add', 'SYS_ADMIN', 'default', '/bin/sh']);
    try {
      await d.waitFor(PROMPT_LINE);
      await d.waitFor(/inside: /);
      await d.waitFor(/MiB/);

      d.write('echo pid-$$\r');
      await d.waitFor(/││pid-1 +│$/m);

      // The hostname is the container's id until changed; the memory panel reads the cgroup.
      await d.waitFor(/inside: [0-9a-f]{12} /);
      await d.waitFor(/host PID \d+/);
      const first = containerOnScreen(d);
      assert.match(d.screenText(), new RegExp(`inside: ${first.id} `));
      await d.waitFor(/\d+(\.\d)? (KiB|MiB) \/ 100\.0 MiB/);

      // The uptime moves on by itself while the shell idles: a live line, drawn with no change of state.
      const uptime = (t: typeof d) => Number(/running · up (\d+)s/.exec(t.screenText())?.[1]);
      const up = uptime(d);
      assert.ok(Number.isInteger(up), d.screenText());
      await d.waitFor((t) => uptime(t) >= up + 2, 5_000);

      d.write('hostname lab1\r');
      await d.waitFor(/││# hostname lab1 +│\n.*││# +│$/m);
      await d.waitFor(/inside: lab1 /, 3_000);

      d.write('exit 3\r');
      await d.waitFor(/exit code 3\b/);
      await d.waitFor(/#1 ✗ 3 {2}\/bin\/sh/);
      assertContainerGone(first.id, first.hostPid);

      // Exited: keys are commands (after a pause in the typing). r runs the same command again.
      await pauseTyping();
      d.write('r');
      await d.waitFor(/#2 (…|✓ 0|✗ \d+) {2}\/bin\/sh/);
      await d.waitFor(PROMPT_LINE);
      assert.match(d.screenText(), /#1 ✗ 3 {2}\/bin\/sh/, 'the first run left the history');
      await d.waitFor(/host PID \d+/);
      const second = containerOnScreen(d);
      assert.notEqual(second.id, first.id);

      const before = innerSize(COLS, ROWS);
      d.write('stty size\r');
      await d.waitFor(new RegExp(`││${before.rows} ${before.cols} +│$`, 'm'));

      const [cols, rows] = [120, 36];
      const resized = innerSize(cols, rows);
      assert.notDeepEqual(resized, before);
      d.resize(cols, rows);
      // The frame at the new size: the pane's bottom border where the new layout puts it.
      await d.waitFor((t) => t.screenLines()[rows - 3].endsWith(`╰${'─'.repeat(resized.cols)}╯`));
      d.write('stty size\r');
      await d.waitFor(new RegExp(`││${resized.rows} ${resized.cols} +│$`, 'm'));

      await quitWhileRunning(d);
      assertTerminalRestored(d);
      assertContainerGone(second.id, second.hostPid);
      nothingLeft();
    } finally {
      await d.kill();
    }
  });

  it('shows the end of a fast flood of output, run after run', { timeout: 120_000 }, async () => {
    const d = startTui(['default', 'seq', '1', '20000']);
    try {
      for (let n = 1; n <= 4; n++) {
        if (n > 1) d.write('r');
        // The history row says the run ended; by then every byte is on screen.
        await d.waitFor(new RegExp(`#${n} ✓ 0 {2}seq 1 20000`), 30_000);
        await d.waitFor(/exit code 0\b/);
        await d.waitFor((t) => paneText(t).at(-1) === '20000');
        // The last lines are the last numbers, none lost or out of order.
        const lines = paneText(d);
        const expected = Array.from({ length: lines.length }, (_, i) => String(20000 - lines.length + 1 + i));
        assert.deepEqual(lines, expected, `run #${n}: the pane is not the tail of seq 1 20000:\n${d.screenText()}`);
      }
      d.write('q');
      assert.equal((await d.exited).exitCode, 0);
    } finally {
      await d.kill();
    }
  });

  it('shows a container killed for memory as OOM-killed', { timeout: 60_000 }, async () => {
    const d = startTui(['--memory', '32m', 'default', 'tail', '/dev/zero']);
    try {
      // The hog is killed within milliseconds, often before the first stats poll: the exit panel tells.
      await d.waitFor(/exit code 137\b/, 30_000);
      await d.waitFor('OOM-killed');
      await d.waitFor(/#1 ✗ 137 OOM {2}tail \/dev\/zero/);
      d.write('q');
      assert.equal((await d.exited).exitCode, 0);
    } finally {
      await d.kill();
    }
  });

  it(
    'runs an OCI bundle given with --bundle: its command, environment, working directory, user and hostname, again on r',
    { timeout: 60_000 },
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-tui-bundle-'));
      const written = spawnSync(process.execPath, [CLI_PATH, 'spec'], { cwd: dir, encoding: 'utf8' });
      assert.equal(written.status, 0, written.stderr);
      const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
      config.root = { path: ROOTFS, readonly: true };
      config.hostname = 'from-bundle';
      const script = 'echo "$(cat /proc/sys/kernel/hostname) $GREETING $(pwd) $(id -u):$(id -g)"';
      config.process = {
        ...config.process,
        args: ['sh', '-c', script],
        env: [...config.process.env, 'GREETING=hello'],
        cwd: '/etc',
        user: { uid: 1000, gid: 1000 },
      };
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
      // A history of its own: the bundle's rootfs path would otherwise join the picker's list in the tests after.
      const d = startTui(['--bundle', dir], { env: { XDG_CONFIG_HOME: path.join(dir, 'config') } });
      try {
        await d.waitFor(/#1 ✓ 0/);
        assert.deepEqual(paneText(d), ['from-bundle hello /etc 1000:1000']);
        d.write('r');
        await d.waitFor(/#2 ✓ 0/);
        assert.deepEqual(paneText(d), ['from-bundle hello /etc 1000:1000'], "the re-run is the bundle's too");
        d.write('q');
        assert.equal((await d.exited).exitCode, 0);
      } finally {
        await d.kill();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('counts every OOM kill, and once the run has ended shows nothing that looks live', { timeout: 60_000 }, async () => {
    const d = startTui(['--memory', '48m', 'default', 'sh', '-c', 'tail /dev/zero; tail /dev/zero; sleep 2']);
    try {
      await d.waitFor('OOM kills: 2', 30_000);
      await d.waitFor(/exited · ran \d+s/, 10_000);
      await d.waitFor('ended: nothing in use now');
      const screen = d.screenText();
      assert.match(screen, /OOM kills: 2/);
      assert.match(screen, /processes: none, ended/);
      assert.doesNotMatch(screen, /MiB \/ 48\.0 MiB|processes: \d|· up /, screen);
      d.write('q');
      assert.equal((await d.exited).exitCode, 0);
    } finally {
      await d.kill();
    }
  });

  it('reports a SIGKILLed shim as exit code 137 and why, not as a clean end', { timeout: 60_000 }, async () => {
    const d = startTui(['default', '/bin/sh']);
    try {
      await d.waitFor(PROMPT_LINE);
      await d.waitFor(/host PID \d+/);
      const { hostPid } = containerOnScreen(d);
      const shimPid = Number(fs.readFileSync(`/proc/${hostPid}/stat`, 'utf8').split(' ')[3]);
      process.kill(shimPid, 'SIGKILL');
      await d.waitFor(/exit code 137\b/);
      const side = d
        .region(0, 0, SIDE_WIDTH, ROWS)
        .map((line) => line.replace(/[│ ]+/g, ' ').trim())
        .join(' ');
      assert.match(side, /killed by SIGKILL/, side);
      assert.doesNotMatch(d.screenText(), /without a status|exit code 0\b/);
      await pauseTyping();
      d.write('q');
      assert.equal((await d.exited).exitCode, 0);
      // The container dies with its shim (the kernel ends its PID namespace), a moment later.
      await awaitLeftoversGone();
      assert.deepEqual(containerProcesses(), []);
    } finally {
      await d.kill();
    }
  });

  it('r re-runs afresh, c on the files the last run left; quitting removes the kept layer', { timeout: 60_000 }, async () => {
    const d = startTui(['default', '/bin/sh']);
    const sessionDirs = () => fs.readdirSync(LAYERS_DIR).filter((name) => name.startsWith('session-'));
    try {
      await d.waitFor(PROMPT_LINE);
      d.write('echo one > /marker; exit\r');
      await d.waitFor(/#1 ✓ 0/);
      assert.equal(fs.existsSync(path.join(ROOTFS, 'marker')), false, 'the run wrote into the rootfs');
      await pauseTyping();
      d.write('c');
      await d.waitFor(/#2 …/);
      await d.waitFor(PROMPT_LINE);
      d.write('echo two >> /marker; cat /marker | tr "\\n" -; echo; exit\r');
      await d.waitFor(/││one-two- +│$/m);
      await d.waitFor(/#2 ✓ 0/);
      await pauseTyping();
      d.write('r');
      await d.waitFor(/#3 …/);
      await d.waitFor(PROMPT_LINE);
      d.write('cat /marker\r');
      await d.waitFor(/││cat: \/marker: No such file or directory +│$/m);
      assert.equal(sessionDirs().length, 1, "the session keeps its last run's layer");
      await quitWhileRunning(d);
      assert.deepEqual(sessionDirs(), [], "the session's layers were left");
      nothingLeft();
    } finally {
      await d.kill();
    }
  });

  it('starts from the picker: a bad typed path shows its error, default runs bash', { timeout: 60_000 }, async () => {
    const d = startTui([]);
    try {
      await d.waitFor('New container');
      await d.waitFor(/▸ Root filesystem/);
      await d.waitFor(/› default/);
      // With a fresh config there is one choice: down once is the typed-path entry.
      d.write('\x1b[B');
      await d.waitFor(/› type a path…/);
      const bad = '/nonexistent-rootfs-e2e';
      d.write(bad);
      await d.waitFor(`rootfs ${bad} does not exist`);
      // Enter with a bad rootfs starts nothing.
      d.write('\r');
      await d.waitFor((t) => t.screenText().includes('New container') && t.screenText().includes(`rootfs ${bad} does not exist`));

      d.write('\x1b[A');
      await d.waitFor((t) => /› default/.test(t.screenText()) && !t.screenText().includes('does not exist'));
      d.write('\r');
      // The default rootfs's shell is bash, with line editing, not dash.
      await d.waitFor(/││bash-[\d.]+# +│$/m);
      await d.waitFor(/inside: [0-9a-f]{12} /);
      assert.doesNotMatch(d.screenText(), /New container/);
      assert.match(d.screenText(), /\$ \/bin\/bash/);

      await quitWhileRunning(d);
      assertTerminalRestored(d);
    } finally {
      await d.kill();
    }
  });

  it('shows every key after Ctrl-] ?, and any key closes the help', { timeout: 60_000 }, async () => {
    const d = startTui(['default', '/bin/sh']);
    try {
      await d.waitFor(PROMPT_LINE);
      d.write('\x1d');
      await d.waitFor(PREFIX_FOOTER);
      d.write('?');
      await d.waitFor('re-run the same command on the same rootfs');
      await d.waitFor('any key closes this');
      // The key that closes the help goes nowhere else: not to the shell.
      d.write('x');
      await d.waitFor((t) => !t.screenText().includes('any key closes this') && PROMPT_LINE.test(t.screenText()));
      d.write('echo after-help\r');
      await d.waitFor(/││after-help +│$/m);
      assert.match(d.screenText(), /││# echo after-help +│$/m, 'the closing key reached the shell');

      await quitWhileRunning(d);
    } finally {
      await d.kill();
    }
  });

  /** A TUI running a shell, with its container's id and host PID as the panel shows them. */
  async function shellOnScreen(d: TuiDriver): Promise<{ id: string; hostPid: number }> {
    await d.waitFor(PROMPT_LINE);
    await d.waitFor(/host PID \d+/);
    return containerOnScreen(d);
  }

  it('on SIGTERM removes the container and restores the terminal', { timeout: 60_000 }, async () => {
    const d = startTui(['default', '/bin/sh']);
    try {
      const { id, hostPid } = await shellOnScreen(d);
      assert.ok(containerProcesses().includes(hostPid), `the container's process ${hostPid} is not running`);
      assert.equal(d.term.buffer.active.type, 'alternate');

      d.signal('SIGTERM');
      const exit = await d.exited;
      assert.equal(exit.exitCode, 143, `the TUI exited with ${JSON.stringify(exit)}`);
      assertTerminalRestored(d);
      assertContainerGone(id, hostPid);
      nothingLeft();
    } finally {
      await d.kill();
    }
  });

  it('on SIGKILL its container dies with it, and the next start leaves nothing behind', { timeout: 60_000 }, async () => {
    const d = startTui(['default', '/bin/sh']);
    try {
      const { id, hostPid } = await shellOnScreen(d);
      d.signal('SIGKILL'); // no handler runs: the shim sees its parent die
      await d.exited;
      await awaitLeftoversGone();
      assertContainerGone(id, hostPid);
      // The next start collects whatever a run killed this way could leave (baby-docker gc at start).
      const next = spawnSync(process.execPath, [CLI_PATH, 'run', 'default', 'true'], { encoding: 'utf8' });
      assert.equal(next.status, 0, next.stderr);
      nothingLeft();
    } finally {
      await d.kill();
    }
  });

  it("walks a lab step by step, with check marks and the host's view, and comes back to the same step", { timeout: 90_000 }, async () => {
    const labConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'baby-docker-tui-lab-'));
    const env = { XDG_CONFIG_HOME: labConfig };
    try {
      const d = startTui(['--lab', 'pid'], { env });
      try {
        // The shell waits for input: its prompt is the pane's last line (whatever panel is beside it).
        const atPrompt = (t: TuiDriver) =>
          paneLines(t, COLS, ROWS, LAB_SIDE_WIDTH)
            .filter((line) => line !== '')
            .at(-1) === '#';
        for (const step of [1, 2, 3]) {
          await d.waitFor(new RegExp(`Lab · step ${step}/3 …`));
          await d.waitFor(atPrompt);
          d.write(`${PREFIX_KEY}t`); // the suggested command, typed; Enter is the student's
          d.write('\r');
          await d.waitFor(new RegExp(`Lab · step ${step}/3 ✓`));
          if (step === 1) {
            // The host's view beside the container's: the PID the container panel shows (the line wraps in the panel).
            const { hostPid } = containerOnScreen(d);
            const side = d
              .region(0, 0, LAB_SIDE_WIDTH, ROWS)
              .map((line) => line.replace(/[│ ]+/g, ' ').trim())
              .join(' ');
            assert.match(side, new RegExp(`inside: PID 1 — on the host: PID ${hostPid}\\b`));
          }
          if (step < 3) d.write(`${PREFIX_KEY}]`);
        }
        // Past the last step: the lab says it is complete (it once said "next step" and did nothing).
        d.write(`${PREFIX_KEY}]`);
        await d.waitFor((t) => /lab complete: all 3 steps/.test(t.region(0, 0, LAB_SIDE_WIDTH, ROWS).join(' ').replace(/[│ ]+/g, ' ')));
        await quitWhileRunning(d);
      } finally {
        await d.kill();
      }
      // Progress was kept: the same lab opens at the step where it was left.
      const again = startTui(['--lab', 'pid'], { env });
      try {
        await again.waitFor(/Lab · step 3\/3/);
        again.write(`${PREFIX_KEY}L`); // leave the lab: its panel goes, the history comes back
        await again.waitFor((t) => !/Lab · step/.test(t.screenText()) && /History/.test(t.screenText()));
        await quitWhileRunning(again);
      } finally {
        await again.kill();
      }
      nothingLeft();
    } finally {
      fs.rmSync(labConfig, { recursive: true, force: true });
    }
  });

  it('starts one container at a time when r comes twice in one read', { timeout: 30_000 }, async () => {
    const d = startTui(['default', '/bin/sh']);
    try {
      await d.waitFor(PROMPT_LINE);
      d.write('exit 0\r');
      await d.waitFor(/#1 ✓ 0 {2}\/bin\/sh/);
      await pauseTyping();
      d.write('rr');
      // However the second r is taken (a second run, or a key typed into the new shell), one shell ends up
      // waiting for input and no two runs are going at once.
      await d.waitFor((t) => /││# (r)? +│$/m.test(t.screenText()) && (t.screenText().match(/#\d+ … {2}\/bin\/sh/g) ?? []).length === 1, 5_000);
      await quitWhileRunning(d);
    } finally {
      await d.kill(2_000);
      await awaitLeftoversGone();
    }
  });

  it('quits on SIGTERM while its container is still starting', { timeout: 30_000 }, async () => {
    const d = startTui(['default', '/bin/sh']);
    try {
      // As soon as the app takes the terminal: it does that before it starts the container, and
      // draws its first frame only once the container is up ("running…").
      const caught = await new Promise<boolean>((resolve) => {
        const subscription = d.pty.onData(() => {
          // The driver's own listener came first: d.output holds this chunk already.
          const running = d.output.includes('running…');
          const starting = !running && d.output.includes('\x1b[?1049h');
          if (!starting && !running) return;
          subscription.dispose();
          if (starting) d.signal('SIGTERM');
          resolve(starting);
        });
      });
      assert.ok(caught, 'the terminal is taken before the container is up');
      const exit = await Promise.race([d.exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5_000))]);
      assert.notEqual(exit, 'hung', `the TUI did not exit within 5 s of SIGTERM; screen:\n${d.screenText()}`);
      assert.equal(exit === 'hung' ? null : exit.exitCode, 143);
    } finally {
      await d.kill(1_000);
      await awaitLeftoversGone();
    }
  });

  it('redraws the whole screen with Ctrl-] Ctrl-L', { timeout: 60_000 }, async () => {
    const d = startTui(['default', '/bin/sh']);
    try {
      await d.waitFor(PROMPT_LINE);
      d.write('echo mark-$((2*21))\r');
      await d.waitFor(/││mark-42 +│$/m);
      const sent = d.output.length;
      d.write('\x1d\x0c');
      // A clear screen goes out, then everything again: panels, the pane with its text, the footer.
      await d.waitFor((t) => {
        const after = t.output.slice(sent);
        const screen = t.screenText();
        return (
          after.includes('\x1b[2J') &&
          ['│ Container', '│ Hostname', '│ Memory', '│ Exit', 'keys go to the container'].every((text) => screen.includes(text)) &&
          /││mark-42 +│$/m.test(screen) &&
          PROMPT_LINE.test(screen)
        );
      });
      await quitWhileRunning(d);
    } finally {
      await d.kill();
    }
  });

  it(
    "suspends with Ctrl-] z and comes back on fg, still running its container; quit then, it leaves the shell's screen as it was",
    { timeout: 60_000 },
    async () => {
      // An interactive bash (job control on) runs the TUI as a job, then, once it stops, says so and resumes it.
      const script = 'echo before-$((6*7)); "$@"; echo "job-$((6*7)) stopped"; sleep 0.5; fg';
      const d = startTui(['default', '/bin/sh'], { wrapper: ['bash', '--norc', '--noprofile', '-i', '-c', script, 'bash'] });
      try {
        await d.waitFor(PROMPT_LINE);
        d.write('\x1dz');
        await d.waitFor('job-42 stopped');
        assert.equal(d.term.buffer.active.type, 'normal', 'the UI left the alternate screen while suspended');
        await d.waitFor((t) => t.term.buffer.active.type === 'alternate' && PROMPT_LINE.test(t.screenText()));
        d.write('echo back-$((1+1))\r');
        await d.waitFor(/││back-2 +│$/m);
        await quitWhileRunning(d);
        assertTerminalRestored(d);
        const screen = d.screenText();
        assert.match(screen, /before-42/);
        assert.doesNotMatch(screen, /[╭╰│]|Container|Memory|keys go to/, `the UI was drawn over the shell's screen:\n${screen}`);
      } finally {
        await d.kill();
      }
    },
  );

  it('never takes what was typed on after exit as commands ("exit⏎ls -la⏎q"), and says so', { timeout: 60_000 }, async () => {
    const d = startTui(['default', '/bin/sh']);
    try {
      await d.waitFor(PROMPT_LINE);
      d.write('exit 4\r');
      await d.waitFor(/#1 ✗ 4 {2}\/bin\/sh/);
      d.write('ls -la\rq');
      await d.waitFor('ignored what was typed as it exited (ls -la⏎q)');
      assert.doesNotMatch(d.screenText(), /#2 /, 'a second run started');
      assert.ok(!d.hasExited, 'a typed-ahead q quit');
      await pauseTyping();
      d.write('q');
      assert.equal((await d.exited).exitCode, 0);
    } finally {
      await d.kill();
    }
  });

  it(
    'survives a resize round trip after long lines, and the shell still answers (bug: the emulator threw and the UI froze)',
    { timeout: 60_000 },
    async () => {
      const d = startTui(['default', '/bin/sh'], { cols: 120, rows: 40 });
      try {
        await d.waitFor(PROMPT_LINE);
        d.write("for i in $(seq 1 10); do printf '%080d\\n' $i; done\r");
        await d.waitFor(/0010 *│$/m);
        d.resize(80, 24);
        await d.waitFor((t) => t.screenLines()[24 - 3]?.endsWith(`╰${'─'.repeat(innerSize(80, 24).cols)}╯`));
        d.resize(120, 40);
        await d.waitFor((t) => t.screenLines()[40 - 3]?.endsWith(`╰${'─'.repeat(innerSize(120, 40).cols)}╯`));
        d.write('seq 1 60; echo answer-$((6*7))\r');
        await d.waitFor(/│answer-42 +│$/m);
        await quitWhileRunning(d);
        assertTerminalRestored(d);
      } finally {
        await d.kill();
      }
    },
  );

  it('follows 200×60 → 80×24 → 60×20 → 200×60 while output flows, and the shell still answers', { timeout: 60_000 }, async () => {
    const d = startTui(['default', '/bin/sh'], { cols: 200, rows: 60 });
    try {
      await d.waitFor(PROMPT_LINE);
      d.write('i=0; while [ $i -lt 4000 ]; do echo "flowing line $i of output"; i=$((i+1)); done; echo flow-done\r');
      for (const [cols, rows] of [
        [80, 24],
        [60, 20],
        [200, 60],
        [80, 24],
        [200, 60],
      ] as const) {
        await new Promise((resolve) => setTimeout(resolve, 150));
        d.resize(cols, rows);
      }
      await d.waitFor(/│flow-done +│$/m, 20_000);
      d.write('stty size\r');
      const inner = innerSize(200, 60);
      await d.waitFor(new RegExp(`│${inner.rows} ${inner.cols} +│$`, 'm'));
      await quitWhileRunning(d);
    } finally {
      await d.kill();
    }
  });

  it(
    'gives a terminal under 100 columns a status bar above a full-width pane, and the panel column after Ctrl-] p',
    { timeout: 60_000 },
    async () => {
      const d = startTui(['default', '/bin/sh'], { cols: 80, rows: 24 });
      try {
        await d.waitFor(/│# +│$/m);
        await d.waitFor((t) => /^ #1 running · up \d+s · mem [\d.]+ [KM]iB \/ 100\.0 MiB · procs \d+\/1024 · PID 1 \(host/.test(t.screenLines()[0]!));
        assert.match(d.screenLines()[1]!, /^╭─ #1 /, 'the pane starts at the left edge, under the bar');
        d.write('stty size\r');
        await d.waitFor(/│19 78 +│$/m);
        d.write('\x1dp'); // the panel column, as on a wide terminal
        await d.waitFor((t) => t.screenLines()[1]!.startsWith('│ Container'));
        d.write('stty size\r');
        await d.waitFor(/│20 44 +│$/m);
        d.write('\x1dp');
        await d.waitFor((t) => t.screenLines()[0]!.startsWith(' #1 running'));
        d.write('exit 3\r');
        await d.waitFor((t) => /^ #1 exited · ran \d+s · exit 3 · /.test(t.screenLines()[0]!));
        await pauseTyping();
        d.write('q');
        assert.equal((await d.exited).exitCode, 0);
      } finally {
        await d.kill();
      }
    },
  );

  it('shows a past run picked in the history: its details, and its last screen in the pane', { timeout: 60_000 }, async () => {
    const d = startTui(['default', 'sh', '-c', 'echo first-$((6*7))']);
    try {
      await d.waitFor(/#1 ✓ 0/);
      d.write('e\x15echo second-run\r'); // edit the command: Ctrl-U clears it
      await d.waitFor(/#2 ✓ 0 {2}echo second-run/);
      assert.ok(!paneText(d).some((line) => line.includes('first-42')), 'a new run starts on a clean screen');
      d.write('h');
      await d.waitFor((t) => paneText(t).includes('first-42'));
      assert.match(d.screenText(), /#1 \w+ sh -c 'echo first-\$\(\(6\*7\)\)' · default · its last screen/);
      // The panels are Ink's frame, which may land a moment after the pane is painted.
      await d.waitFor(/› #1 ✓ 0 .*\n.*ran \d+s · peak [\d.]+ [KM]iB.*\n.*on default/);
      d.write('l');
      await d.waitFor((t) => paneText(t).includes('second-run') && !t.screenText().includes('its last screen'));
      d.write('q');
      assert.equal((await d.exited).exitCode, 0);
    } finally {
      await d.kill();
    }
  });

  it('draws wide characters as wide as the terminal does: the border and panels stay where they are', { timeout: 60_000 }, async () => {
    const d = startTui(['default', '/bin/sh']);
    try {
      await d.waitFor(PROMPT_LINE);
      d.write("echo 'héllo 日本 🙂'; printf '🙂%.0s' $(seq 1 60); echo\r");
      await d.waitFor(/héllo 日本 🙂 *│$/m);
      await d.waitFor((t) => t.screenLines().some((line) => line.includes('🙂🙂🙂🙂')));
      // Every row of the pane keeps its left and right border where the layout puts them, and the side column its frame.
      const right = COLS - 1;
      const inner = innerSize(COLS, ROWS);
      for (let row = 1; row <= inner.rows; row++) {
        const [line] = d.region(0, row, COLS, 1);
        const cells = Array.from({ length: COLS }, (_, x) => d.term.buffer.active.getLine(row)?.getCell(x)?.getChars() ?? '');
        assert.equal(cells[SIDE_WIDTH], '│', `row ${row}: the pane's left border moved: ${line}`);
        assert.equal(cells[right], '│', `row ${row}: the pane's right border moved: ${line}`);
        assert.ok(['│', '╮', '╯', ' ', ''].includes(cells[SIDE_WIDTH - 1]), `row ${row}: the side column's frame was overwritten: ${line}`);
      }
      await quitWhileRunning(d);
    } finally {
      await d.kill();
    }
  });

  it('survives a minute of random bytes, escape sequences and resizes in the pane', { timeout: 120_000 }, async () => {
    // Random bytes, and sequences that move, scroll, switch screens and write wide characters; then a reset (RIS) and a mark.
    const pieces = [
      '\\033[2J',
      '\\033[5;10r',
      '\\033[r',
      '\\033[?1049h',
      '\\033[?1049l',
      '\\033M',
      '\\033[3L',
      '\\033[2M',
      '\\033[999C',
      '\\033[?7l',
      '\\033[?7h',
      '\\033[10;5H',
      '\\033[S',
      '\\033[T',
      '\\033[4@',
      '\\033[3P',
      '日本🙂',
      '\\n',
    ];
    const script =
      `end=$(($(date +%s)+60)); while [ $(date +%s) -lt $end ]; do head -c 3000 /dev/urandom; ` +
      `for p in ${pieces.map((piece) => `'${piece}'`).join(' ')}; do printf "$p"; printf '%0120d' 0; done; done; printf '\\033c'; echo fuzz-done; sleep 600`;
    const d = startTui(['default', '/bin/sh', '-c', script]);
    try {
      await d.waitFor(/host PID \d+/);
      const sizes = [
        [140, 40],
        [80, 24],
        [200, 60],
        [60, 20],
        [100, 30],
        [71, 17],
      ] as const;
      for (let i = 0; !d.screenText().includes('fuzz-done'); i++) {
        if (d.hasExited) assert.fail(`the TUI ended during the fuzz: ${JSON.stringify(await d.exited)}`);
        const [cols, rows] = sizes[i % sizes.length];
        d.resize(cols, rows);
        await new Promise((resolve) => setTimeout(resolve, 400));
        await d.settled();
        assert.ok(i < 400, 'the fuzz never ended');
      }
      d.resize(COLS, ROWS);
      await d.waitFor(/│fuzz-done +│$/m);
      await d.waitFor(/running · up/);
      await quitWhileRunning(d);
      assertTerminalRestored(d);
    } finally {
      await d.kill();
    }
  });

  it(
    'in tmux, after a resize, shrinking or growing, the screen is what a full redraw draws: no stale line, no lost prompt',
    { timeout: 60_000 },
    async () => {
      // tmux as the outer terminal, as users saw it: it keeps what a smaller window still holds. Its status line takes the last row.
      const socket = `bd-e2e-${process.pid}`;
      const d = startTui(['default', '/bin/sh'], { wrapper: ['tmux', '-L', socket, '-f', '/dev/null', 'new-session', '--'] });
      try {
        await d.waitFor(PROMPT_LINE);
        d.write('seq 1 100\r');
        await d.waitFor(/│100 +│$/m);
        await d.waitFor(/│# +│$/m);
        for (const [cols, rows] of [
          [100, 29],
          [160, 47],
          [90, 25],
          [140, 39],
          [100, 29],
        ] as const) {
          d.resize(cols, rows + 1);
          const inner = innerSize(cols, rows);
          await d.waitFor((t) => t.screenLines()[rows - 3]?.endsWith(`╰${'─'.repeat(inner.cols)}╯`));
          await new Promise((resolve) => setTimeout(resolve, 300)); // any late frame lands
          await d.settled();
          const afterResize = d.screenLines();
          assert.ok(
            afterResize.some((line) => /│# +│$/.test(line)),
            `the prompt is gone at ${cols}×${rows}:\n${afterResize.join('\n')}`,
          );
          d.write('\x1d\x0c'); // Ctrl-] Ctrl-L: everything drawn afresh
          await new Promise((resolve) => setTimeout(resolve, 500));
          await d.settled();
          // Only the live lines (uptime, memory, sparkline, network bytes) may have moved on meanwhile.
          const live = /up \d+s|[▁▂▃▄▅▆▇█]|iB|\d%|rx \d/;
          const redrawn = d.screenLines();
          const differing = afterResize.flatMap((line, i) =>
            line === redrawn[i] || live.test(line) ? [] : [`${i}: ${JSON.stringify(line)} / redrawn ${JSON.stringify(redrawn[i])}`],
          );
          assert.deepEqual(differing, [], `at ${cols}×${rows} the screen after the resize is not what a redraw draws`);
        }
        await quitWhileRunning(d);
      } finally {
        await d.kill();
        spawnSync('tmux', ['-L', socket, 'kill-server']);
      }
    },
  );

  it(
    "scrolls back through the pane's history with Shift-PgUp while the shell runs, and q returns to the live screen",
    { timeout: 60_000 },
    async () => {
      const d = startTui(['default', '/bin/sh']);
      try {
        await d.waitFor(PROMPT_LINE);
        d.write('seq 1 300\r');
        await d.waitFor(/│300 +│$/m);
        await d.waitFor(/│# +│$/m);
        const inner = innerSize(COLS, ROWS);
        d.write('\x1b[5;2~\x1b[5;2~'); // two pages back: each keeps a line of overlap
        const back = 2 * (inner.rows - 1);
        await d.waitFor(`history: ${back} lines back`);
        // The pane's last line is the one `back` lines above the prompt's line, the last line of output being 300.
        await d.waitFor((t) => paneLines(t).at(-1) === String(300 - back + 1));
        // A search back puts the line found at the pane's top.
        d.write('/12\r');
        await d.waitFor((t) => paneLines(t)[0] === '129');
        // y: what the pane shows goes to the terminal's clipboard, by OSC 52.
        const sent = d.output.length;
        d.write('y');
        await d.waitFor((t) => /\x1b\]52;c;[A-Za-z0-9+/=]+\x07/.test(t.output.slice(sent)));
        const copied = Buffer.from(/\x1b\]52;c;([A-Za-z0-9+/=]+)\x07/.exec(d.output.slice(sent))![1], 'base64').toString();
        assert.deepEqual(copied.split('\n').slice(0, 3), ['129', '130', '131']);
        d.write('q');
        await d.waitFor((t) => !t.screenText().includes('history:') && /│# +│$/m.test(t.screenText()));
        d.write('echo live-$((6*7))\r');
        await d.waitFor(/│live-42 +│$/m);
        await quitWhileRunning(d);
      } finally {
        await d.kill();
      }
    },
  );

  it('scrolls with the mouse wheel, and copies what a drag selects by OSC 52', { timeout: 60_000 }, async () => {
    const d = startTui(['default', '/bin/sh']);
    try {
      await d.waitFor(PROMPT_LINE);
      assert.match(d.output, /\x1b\[\?1002h\x1b\[\?1006h/, 'mouse reports asked for');
      d.write('seq 1 100\r');
      await d.waitFor(/│100 +│$/m);
      await d.waitFor(/│# +│$/m);
      const paneCol = SIDE_WIDTH + 2; // the first column inside the pane, 1-based
      d.write(`\x1b[<64;${paneCol + 10};10M\x1b[<64;${paneCol + 10};10M`); // the wheel, turned up twice
      await d.waitFor('history: 6 lines back');
      const top = paneLines(d)[0]!;
      d.write(`\x1b[<0;${paneCol};2M\x1b[<32;${paneCol + 1};3M\x1b[<0;${paneCol + 1};3m`); // drag over two lines
      await d.waitFor(/copied \d+ characters/);
      const copied = Buffer.from(/\x1b\]52;c;([A-Za-z0-9+/=]+)\x07/.exec(d.output)![1]!, 'base64').toString();
      assert.equal(copied, `${top}\n${paneLines(d)[1]!.slice(0, 2)}`);
      d.write('q');
      await d.waitFor((t) => !t.screenText().includes('history:'));
      await quitWhileRunning(d);
      assert.match(d.output.slice(d.output.lastIndexOf('\x1b[?1049l') - 40), /\x1b\[\?1006l\x1b\[\?1002l/, 'mouse reports off again');
    } finally {
      await d.kill();
    }
  });

  it(
    'opens a second shell in the running container with Ctrl-] x, switches with Ctrl-] o, and closes it when it exits',
    { timeout: 60_000 },
    async () => {
      const d = startTui(['default', '/bin/sh']);
      try {
        await d.waitFor(PROMPT_LINE);
        const id = /#1 ([0-9a-f]{12}) /.exec(d.screenText())![1]!;
        d.write(`${PREFIX_KEY}x`);
        await d.waitFor(new RegExp(`exec /bin/bash in #1 ${id}`));
        await d.waitFor(/││bash-[\d.]+# +│$/m);
        d.write('echo pid=$$ host=$(hostname); tty\r');
        await d.waitFor(new RegExp(`│pid=(\\d+) host=${id} +│$`, 'm'));
        assert.notEqual(/│pid=(\d+)/.exec(d.screenText())![1], '1', "a process of its own in the container's PID namespace");
        await d.waitFor(/│\/dev\/pts\/1 +│$/m); // the container's own devpts: its first terminal is the run's
        assert.match(d.screenText(), /keys go to the exec shell/);
        d.write(`${PREFIX_KEY}o`); // the container's terminal: the shell there never saw what was typed
        await d.waitFor((t) => t.screenText().includes('exec shell open') && !paneText(t).some((line) => line.includes('pid=')));
        d.write('echo in-the-container; tty\r');
        await d.waitFor(/│in-the-container +│$/m);
        await d.waitFor(/│\/dev\/pts\/0 +│$/m);
        d.write(`${PREFIX_KEY}o`);
        await d.waitFor((t) => paneText(t).some((line) => line.includes('pid=')));
        d.write('exit 4\r');
        await d.waitFor('the exec shell ended (exit 4)');
        await d.waitFor((t) => paneText(t).some((line) => line === 'in-the-container'));
        await quitWhileRunning(d);
      } finally {
        await d.kill();
      }
    },
  );

  it("records the pane with --record as an asciicast: the header at the pane's size, the output as it came", { timeout: 60_000 }, async () => {
    const cast = path.join(configHome, 'session.cast');
    const d = startTui(['--record', cast, 'default', 'sh', '-c', 'echo recorded-$((6*7))']);
    try {
      await d.waitFor(/#1 ✓ 0 {2}sh -c/);
      assert.match(d.screenText(), /● REC #1/);
      d.write('q');
      assert.equal((await d.exited).exitCode, 0);
      const [header, ...events] = fs
        .readFileSync(cast, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      const inner = innerSize(COLS, ROWS);
      assert.deepEqual([header.version, header.width, header.height], [2, inner.cols, inner.rows]);
      assert.ok(
        events.every(([at, kind]) => typeof at === 'number' && (kind === 'o' || kind === 'r')),
        JSON.stringify(events),
      );
      assert.match(
        events
          .filter(([, kind]) => kind === 'o')
          .map(([, , text]) => text)
          .join(''),
        /recorded-42\r\n/,
      );
    } finally {
      await d.kill();
      fs.rmSync(cast, { force: true });
    }
  });

  it('refuses to run without root, or without a terminal', { timeout: 30_000 }, async () => {
    const d = startTui(['default', '/bin/sh'], { wrapper: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] });
    try {
      const exit = await d.exited;
      const lines = d.screenLines().filter((line) => line !== '');
      assert.deepEqual(lines, ['baby-docker-tui: baby-docker must run as root: try sudo'], `output: ${JSON.stringify(d.output)}`);
      assert.equal(exit.exitCode, 125);
      assert.doesNotMatch(d.output, /\x1b\[\?1049h/, 'it took the screen before failing');
    } finally {
      await d.kill();
    }

    const piped = spawnSync(process.execPath, [TUI_CLI_PATH, 'default', '/bin/sh'], {
      encoding: 'utf8',
      stdio: 'pipe',
      timeout: 20_000,
      env: { ...process.env, CI: 'false', TERM: 'xterm-256color', XDG_CONFIG_HOME: configHome },
    });
    assert.equal(piped.status, 125, `stderr: ${piped.stderr}`);
    assert.match(piped.stderr, /needs a terminal/);
    assert.equal(piped.stdout, '');
  });
});
