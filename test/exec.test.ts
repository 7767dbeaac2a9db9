/**
 * Exec into a running container, through the CLI (`baby-docker exec`) and the
 * runtime API (findContainer, exec, execPty): real containers, the command
 * checked from inside (its hostname, PID namespace, capabilities, cgroup,
 * terminal) and from the host (nothing left behind).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { spawn as spawnOnPty } from 'node-pty';
import { findContainer, start, type Container, type PtyProcess } from '../src/runtime/container.js';
import { RuntimeError } from '../src/runtime/errors.js';
import { listContainers, matchContainer, type ContainerInfo } from '../src/runtime/list.js';
import type { ContainerSpec } from '../src/runtime/spec.js';
import { assertNothingLeft, CLI_PATH, hostMounts, ROOTFS, runCli, stateDirs } from './helpers.js';

const mountsBefore = hostMounts();
after(() => assertNothingLeft(mountsBefore));

/** A container that sleeps while a test execs into it, removed after. */
async function withContainer(spec: Partial<ContainerSpec>, test: (container: Container) => Promise<void> | void): Promise<void> {
  const container = await start({ rootfs: ROOTFS, command: ['sleep', '100'], ...spec });
  try {
    await test(container);
  } finally {
    container.kill();
    await container.wait();
  }
}

/** The first 8 characters of `id`, checked to be the start of no other running container's id. */
function uniquePrefix(id: string): string {
  const prefix = id.slice(0, 8);
  assert.deepEqual(
    listContainers()
      .filter((c) => c.id.startsWith(prefix))
      .map((c) => c.id),
    [id],
  );
  return prefix;
}

/** Everything a pty process prints, and a way to wait for a pattern in it. */
function collect(onData: (listener: (data: Buffer) => void) => unknown): { text: () => string; waitFor: (pattern: RegExp) => Promise<void> } {
  let text = '';
  const waiters = new Set<() => void>();
  onData((data) => {
    text += data.toString();
    for (const waiter of waiters) waiter();
  });
  const waitFor = (pattern: RegExp): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${pattern} did not appear; output: ${JSON.stringify(text)}`)), 10_000);
      const check = (): void => {
        if (!pattern.test(text)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  return { text: () => text, waitFor };
}

describe('baby-docker exec', () => {
  it('runs a command in the container named by its full id, or by a unique start of it', async () => {
    await withContainer({ hostname: 'exec1' }, (container) => {
      for (const id of [container.id, uniquePrefix(container.id)]) {
        const result = runCli(['exec', id, 'sh', '-c', 'hostname; echo $$; tr "\\0" " " < /proc/1/cmdline']);
        assert.equal(result.status, 0, result.stderr);
        const [hostname, pid, init] = result.stdout.split('\n');
        assert.equal(hostname, 'exec1');
        assert.ok(Number(pid) > 1, `its own PID ${pid} in the container's PID namespace, where`);
        assert.equal(init, 'sleep 100 ', "PID 1 is the container's command");
      }
    });
  });

  it("passes the exit code on; -e puts variables over the container's environment; piped stdin goes in", async () => {
    await withContainer({ env: { FROM_RUN: 'kept' } }, (container) => {
      assert.equal(runCli(['exec', container.id, 'sh', '-c', 'exit 42']).status, 42);
      const env = runCli([
        'exec',
        '-e',
        'GREETING=hi there',
        '--env=HOME=/tmp',
        container.id,
        'sh',
        '-c',
        'echo "$GREETING|$HOME|$FROM_RUN|$HOSTNAME|${TERM-unset}"',
      ]);
      assert.deepEqual([env.status, env.stdout, env.stderr], [0, `hi there|/tmp|kept|${container.id}|unset\n`, '']);
      const piped = spawnSync(process.execPath, [CLI_PATH, 'exec', container.id, 'sh', '-c', 'wc -l'], { input: 'a\nb\nc\n', encoding: 'utf8' });
      assert.deepEqual([piped.status, piped.stdout.trim()], [0, '3']);
      // A reader that goes away (`| head`) takes the command's with it: SIGPIPE, as in a shell.
      const head = spawnSync(
        'bash',
        ['-c', `"${process.execPath}" "${CLI_PATH}" exec ${container.id} seq 1 100000000 | head -1; echo "\${PIPESTATUS[0]}"`],
        { encoding: 'utf8' },
      );
      assert.deepEqual([head.stdout, head.stderr], ['1\n141\n', '']);
      const missing = runCli(['exec', container.id, 'no-such-command']);
      assert.equal(missing.status, 127);
      assert.match(missing.stderr, /^baby-docker: command not found in the rootfs: no-such-command/);
    });
  });

  it('fails with 125 and one line for an unknown or invalid id, a missing command, or -t without a terminal', async () => {
    const unknown = runCli(['exec', 'fedcba9876540', 'true']);
    assert.deepEqual([unknown.status, unknown.stderr], [125, 'baby-docker: no running container has the id fedcba9876540 (see baby-docker ps)\n']);
    const invalid = runCli(['exec', '../x', 'true']);
    assert.deepEqual(
      [invalid.status, invalid.stderr],
      [125, 'baby-docker: no running container has the name "../x", and it is no id (ids are hexadecimal): see baby-docker ps\n'],
    );
    const noCommand = runCli(['exec', 'abc']);
    assert.deepEqual(
      [noCommand.status, noCommand.stderr],
      [125, 'baby-docker: usage: baby-docker exec [-t] [-i] [-e KEY=VALUE]... ID COMMAND [ARGS...]\n'],
    );
    await withContainer({}, (container) => {
      // spawnSync's stdin is a pipe: no terminal.
      const tty = runCli(['exec', '-t', container.id, 'true']);
      assert.deepEqual([tty.status, tty.stderr], [125, 'baby-docker: exec -t needs a terminal on stdin: run it from one, or leave -t out\n']);
    });
  });

  it('resolves a name, or an id from its start: unique, exact, unknown or ambiguous', () => {
    const info = (id: string, name: string | null = null): ContainerInfo => ({ id, hostPid: 1, startedAt: 0, rootfs: '/', command: 'sh', name });
    const running = [info('a1b2c3d4e5f6'), info('a1ffffffffff', 'web'), info('0123456789ab')];
    assert.equal(matchContainer('web', running).id, 'a1ffffffffff');
    assert.equal(matchContainer('a1b', running).id, 'a1b2c3d4e5f6');
    assert.equal(matchContainer('0123456789ab', running).id, '0123456789ab');
    const rejects = (prefix: string, message: string) =>
      assert.throws(
        () => matchContainer(prefix, running),
        (error: unknown) => error instanceof RuntimeError && error.exitCode === 125 && error.message === message,
      );
    rejects('a1', "a1 is ambiguous: it starts 2 containers' ids (a1b2c3d4e5f6, a1ffffffffff): type more of it");
    rejects('b', 'no running container has the id b (see baby-docker ps)');
    rejects('A1', 'no running container has the name "A1", and it is no id (ids are hexadecimal): see baby-docker ps');
  });

  it('says a container has exited, with 125, and leaves nothing behind', async () => {
    const container = await start({ rootfs: ROOTFS, command: ['sleep', '100'] });
    const running = findContainer(container.id);
    assert.deepEqual([running.id, running.hostPid], [container.id, container.hostPid]);
    container.kill();
    await container.wait();
    const exited = (error: unknown) =>
      error instanceof RuntimeError && error.exitCode === 125 && error.message === `container ${container.id} has exited`;
    await assert.rejects(running.exec(['true']), exited);
    await assert.rejects(running.execPty(['true'], { cols: 80, rows: 24 }), exited);
    const cli = runCli(['exec', container.id, 'true']);
    assert.deepEqual([cli.status, cli.stderr], [125, `baby-docker: no running container has the id ${container.id} (see baby-docker ps)\n`]);
    // Only ours: other runs may go on beside the tests.
    assert.deepEqual(
      stateDirs().filter((name) => name.includes(container.id)),
      [],
      'no state directory left',
    );
  });

  for (const security of ['default', 'none'] as const) {
    it(`gives the command the container's capabilities, seccomp and cgroup (security ${security})`, async () => {
      await withContainer({ security, capAdd: security === 'default' ? ['SYS_ADMIN'] : undefined }, async (container) => {
        const fields = /^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):.*$/gm;
        const procs = container.cgroup.version === 2 ? '/sys/fs/cgroup/cgroup.procs' : '/sys/fs/cgroup/pids/cgroup.procs';
        const result = await findContainer(container.id).exec([
          'sh',
          '-c',
          `cat /proc/self/status; echo ---; cat /proc/1/status; echo ---; echo $$; cat ${procs}`,
        ]);
        assert.deepEqual([result.code, result.error, result.stderr], [0, null, '']);
        const [own, init, cgroup] = result.stdout.split('---\n');
        assert.deepEqual(own!.match(fields), init!.match(fields));
        assert.match(own!, /^Seccomp:\s+(\d)$/m);
        assert.equal(/^Seccomp:\s+(\d)$/m.exec(own!)![1], security === 'none' ? '0' : '2');
        const [self, ...listed] = cgroup!.trim().split('\n');
        assert.ok(listed.includes(self!) && listed.includes('1'), cgroup);
      });
    });
  }

  it("exec -t: the command leads a session on a terminal of the container's own devpts, with job control", async () => {
    await withContainer({}, async (container) => {
      const script =
        'tty; test -t 0 && echo on-a-terminal; read -r pid comm state ppid pgid sid tty tpgid rest < /proc/$$/stat; echo "self=$$ sid=$sid tpgid=$tpgid"; exit 5';
      const pty = spawnOnPty(process.execPath, [CLI_PATH, 'exec', '-t', container.id, 'sh', '-c', script], { cols: 100, rows: 30, env: {} });
      const output = collect((listener) => pty.onData((data) => listener(Buffer.from(data))));
      const exit = await new Promise<number>((resolve) => pty.onExit(({ exitCode }) => resolve(exitCode)));
      assert.equal(exit, 5, output.text());
      // Our pty turns the CLI's \r\n into \r\r\n.
      assert.match(output.text(), /^\/dev\/pts\/\d+\r?\r\non-a-terminal\r?\r\n/);
      const [, self, sid, tpgid] = /self=(\d+) sid=(\d+) tpgid=(\d+)/.exec(output.text())!;
      assert.deepEqual([sid, tpgid], [self, self], 'its own session, in the foreground of its terminal');
    });
  });
});

/** Wait until a process with this command line runs in the container (or, with `present` false, none does). */
async function waitForProcess(container: Container, commandLine: string, present: boolean): Promise<void> {
  const wanted = `${commandLine.split(' ').join('\0')}\0`;
  const running = (): boolean =>
    fs
      .readFileSync(path.join(container.cgroup.pids, 'cgroup.procs'), 'utf8')
      .trim()
      .split('\n')
      .some((pid) => {
        try {
          return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') === wanted;
        } catch {
          return false; // gone meanwhile
        }
      });
  for (let i = 0; i < 500 && running() !== present; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(running(), present, `${commandLine} ${present ? 'never started' : 'still runs'}`);
}

describe('exec on a pty (the runtime API)', () => {
  it('takes typing, gives output and the exit code, for a started container and one found by id', async () => {
    await withContainer({}, async (container) => {
      for (const target of [container, findContainer(container.id)]) {
        const shell: PtyProcess = await target.execPty(['/bin/sh'], { cols: 80, rows: 24, env: { PS1: '$ ' } });
        const output = collect((listener) => shell.onData(listener));
        assert.equal(shell.running, true);
        shell.write('echo "h""i"; echo $TERM\r');
        // The typing is echoed as it comes (before the prompt, if the shell is still starting); only the output says "hi".
        await output.waitFor(/hi\r\nxterm-256color\r\n/);
        shell.resize(120, 40);
        shell.write('stty size\r');
        await output.waitFor(/40 120\r\n/);
        // Ctrl-C reaches the foreground job through the console's line discipline; the shell goes on.
        shell.write('sleep 77; echo "after""-sleep"\r');
        await waitForProcess(container, 'sleep 77', true);
        shell.write('\x03');
        await waitForProcess(container, 'sleep 77', false);
        shell.write('echo "still""-here"\r');
        await output.waitFor(/still-here\r\n/);
        assert.doesNotMatch(output.text(), /after-sleep/);
        shell.write('exit 3\r');
        assert.deepEqual(await shell.wait(), { code: 3, error: null });
        assert.equal(shell.running, false);
      }
    });
  });

  it("puts the command in the container's cgroup, not its shim; the command ends with the container", async () => {
    const container = await start({ rootfs: ROOTFS, command: ['sleep', '100'], pids: 2 });
    const sleeper = await container.execPty(['sleep', '99'], { cols: 80, rows: 24 });
    const procs = fs.readFileSync(path.join(container.cgroup.pids, 'cgroup.procs'), 'utf8').trim().split('\n').map(Number);
    assert.equal(procs.length, 2, `the container's first process and the exec'd one: ${procs}`);
    const exec = procs.find((pid) => pid !== container.hostPid)!;
    // execPty resolves once the command's process is in the container; it execs a moment later.
    const cmdline = () => fs.readFileSync(`/proc/${exec}/cmdline`, 'utf8');
    for (let i = 0; i < 200 && cmdline() !== 'sleep\x0099\x00'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(cmdline(), 'sleep\x0099\x00');
    container.kill();
    assert.deepEqual(await sleeper.wait(), { code: 137, error: null });
    await container.wait();
  });

  it('ends with its command, though a background job it started still holds the terminal', { timeout: 20_000 }, async () => {
    await withContainer({}, async (container) => {
      const shell = await container.execPty(['sh', '-c', 'trap "" HUP; sleep 60 & echo "back""ground"'], { cols: 80, rows: 24 });
      const output = collect((listener) => shell.onData(listener));
      assert.deepEqual(await shell.wait(), { code: 0, error: null });
      assert.match(output.text(), /background\r\n/);
      await waitForProcess(container, 'sleep 60', true);
    });
  });

  it('kills the command, and says why one could not run', async () => {
    await withContainer({}, async (container) => {
      const sleeper = await container.execPty(['sleep', '100'], { cols: 80, rows: 24 });
      sleeper.kill();
      assert.deepEqual(await sleeper.wait(), { code: 137, error: null });
      const result = await container.exec(['sh', '-c', 'ps -e -o comm']);
      assert.doesNotMatch(result.stdout, /sleep\n.*sleep/s, "only the container's own sleep is left");
      const missing = await container.execPty(['no-such-command'], { cols: 80, rows: 24 });
      const end = await missing.wait();
      assert.equal(end.code, 127);
      assert.match(end.error ?? '', /^command not found in the rootfs: no-such-command/);
    });
  });
});
