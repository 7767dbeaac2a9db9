/**
 * The escape and abuse suite: each case of section 3 of
 * shared/docs/runtime-reference.md tried from inside a real container by
 * bd-probe (native/probe.c, static, in a rootfs of its own), with
 * the outcome asserted, and where it shows something, the same attempt with
 * the hardening off to prove the probe would have seen it succeed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addon, PROBE_PATH, SHIM_PATH } from '../src/runtime/native.js';
import { start, startPty } from '../src/runtime/container.js';
import type { ContainerSpec } from '../src/runtime/spec.js';
import { STORAGE_DIR } from '../src/runtime/paths.js';
import { assertNothingLeft, CLI_PATH, containerProcesses, hostMounts, outcome, ROOTFS, runInContainer } from './helpers.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-escape-'));
/** A rootfs of the static probe alone, with its mount targets. */
const probeRootfs = path.join(scratch, 'rootfs');
let mountsBefore = '';

/** Make a rootfs holding only bd-probe; `tweak` may then replace its mount targets. */
function makeProbeRootfs(dir: string, tweak: (dir: string) => void = () => {}): string {
  for (const sub of ['proc', 'sys', 'dev', 'tmp']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  fs.copyFileSync(PROBE_PATH, path.join(dir, 'bd-probe'));
  fs.chmodSync(path.join(dir, 'bd-probe'), 0o755);
  tweak(dir);
  return dir;
}

/** Run bd-probe with `attempts` in a container; its outcomes by attempt. */
async function probe(attempts: string[], spec: Partial<ContainerSpec> = {}): Promise<Map<string, string>> {
  const result = await runInContainer(['/bd-probe', ...attempts], { rootfs: probeRootfs, ...spec });
  assert.equal(result.code, 0, `bd-probe: ${result.stderr}${result.error ?? ''}`);
  return new Map(
    result.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(': ') as [string, string]),
  );
}

const unhardened: Partial<ContainerSpec> = { security: 'none' };

before(() => {
  makeProbeRootfs(probeRootfs);
  mountsBefore = hostMounts();
});

after(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
  assertNothingLeft(mountsBefore);
});

describe('system calls refused inside', () => {
  it('refuses vsock sockets, which no network namespace covers; the hardening off gives what the host gives', async () => {
    assert.equal((await probe(['vsock'])).get('vsock'), 'EPERM');
    // The probe run on the host itself: "ok" where the kernel has vsock.
    const host = spawnSync(PROBE_PATH, ['vsock'], { encoding: 'utf8' }).stdout.trim().split(': ')[1];
    assert.equal((await probe(['vsock'], unhardened)).get('vsock'), host);
  });

  it('refuses mount, umount, unshare, setns and namespaces at clone (they take CAP_SYS_ADMIN)', async () => {
    const attempts = ['mount', 'umount', 'unshare', 'clone-namespace', 'setns', 'cgroup-mount'];
    const outcomes = await probe(attempts);
    for (const attempt of attempts) assert.equal(outcomes.get(attempt), 'EPERM', attempt);
    // The probe does see success: with the hardening off, the same calls go through.
    const open = await probe(['mount', 'unshare', 'clone-namespace', 'setns'], unhardened);
    for (const [attempt, outcome] of open) assert.equal(outcome, 'ok', `${attempt} with --security none`);
  });

  it('refuses keyrings, bpf, perf events, open_by_handle_at and kexec whatever the capabilities', async () => {
    const attempts = ['keyctl', 'add_key', 'bpf', 'perf_event_open', 'open_by_handle_at', 'kexec_load'];
    const outcomes = await probe(attempts);
    for (const attempt of attempts) assert.equal(outcomes.get(attempt), 'EPERM', attempt);
    const withAdmin = await probe(attempts, { capAdd: ['SYS_ADMIN'] });
    for (const attempt of ['keyctl', 'add_key', 'open_by_handle_at', 'kexec_load']) {
      assert.equal(withAdmin.get(attempt), 'EPERM', `${attempt} with SYS_ADMIN`);
    }
  });

  it('refuses a device node for a host disk (no CAP_MKNOD)', async () => {
    assert.equal((await probe(['mknod-disk'])).get('mknod-disk'), 'EPERM');
  });

  it('refuses TIOCSTI: nothing can be typed into a terminal from inside', async () => {
    assert.equal((await probe(['tiocsti'])).get('tiocsti'), 'EPERM');
    assert.equal((await probe(['tiocsti'], unhardened)).get('tiocsti'), 'ok');
  });

  it("keeps Docker's capability set, less MKNOD, with nothing inheritable and no_new_privs", async () => {
    const result = await runInContainer(['/bin/sh', '-c', 'grep -E "^(CapInh|CapEff|CapBnd|NoNewPrivs)" /proc/self/status']);
    // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT AUDIT_WRITE SETFCAP
    assert.match(result.stdout, /^CapInh:\s+0000000000000000$/m);
    assert.match(result.stdout, /^CapEff:\s+00000000a00425fb$/m);
    assert.match(result.stdout, /^CapBnd:\s+00000000a00425fb$/m);
    assert.match(result.stdout, /^NoNewPrivs:\s+1$/m);
  });

  it('keeps the host hostname when root inside tries to change it', async () => {
    const before = os.hostname();
    const result = await runInContainer(['/bin/sh', '-c', 'hostname evil; hostname']);
    assert.doesNotMatch(result.stdout, /evil/);
    assert.equal(os.hostname(), before);
  });
});

describe('/proc and /sys', () => {
  it('makes /proc/sysrq-trigger, /proc/sys and /sys read-only', async () => {
    const outcomes = await probe(['write=/proc/sysrq-trigger', 'write=/proc/sys/kernel/hostname', 'write=/sys/class/net/lo/mtu']);
    for (const [attempt, outcome] of outcomes) {
      // A kernel built without magic SysRq has no /proc/sysrq-trigger, inside or out.
      const missing = attempt === 'write=/proc/sysrq-trigger' && !fs.existsSync('/proc/sysrq-trigger');
      assert.equal(outcome, missing ? 'ENOENT' : 'EROFS', attempt);
    }
  });

  it('shows the container only its own cgroup, read-only (no release_agent, no new cgroup, no limit raised), and no way to mount one', async () => {
    // v2: the container's cgroup is the root of what it sees; v1: its memory and pids hierarchies under a tmpfs.
    const own = addon().cgroupMode() === 'v2' ? '/sys/fs/cgroup' : '/sys/fs/cgroup/pids';
    const agents = ['write=/sys/fs/cgroup/release_agent', `write=${own}/release_agent`];
    const attempts = ['mkdir=/sys/fs/cgroup/probe', `mkdir=${own}/probe`, `write=${own}/pids.max`];
    const outcomes = await probe([...agents, ...attempts, 'cgroup-mount']);
    // release_agent is only in a hierarchy's real root: not there at all, or read-only.
    for (const attempt of agents) assert.match(outcomes.get(attempt)!, /^(ENOENT|EROFS)$/, attempt);
    for (const attempt of attempts) assert.equal(outcomes.get(attempt), 'EROFS', attempt);
    assert.equal(outcomes.get('cgroup-mount'), 'EPERM');
  });

  it('masks /proc/kcore, /proc/keys and /proc/timer_list (they read empty)', async () => {
    const files = ['/proc/kcore', '/proc/keys', '/proc/timer_list'];
    const outcomes = await probe(files.map((file) => `read=${file}`));
    // A file this kernel does not have is missing inside too.
    for (const file of files) assert.equal(outcomes.get(`read=${file}`), fs.existsSync(file) ? 'empty' : 'ENOENT', file);
    const open = await probe(['read=/proc/timer_list'], unhardened);
    if (fs.existsSync('/proc/timer_list')) assert.equal(open.get('read=/proc/timer_list'), 'data');
  });
});

describe('the root filesystem', () => {
  it("keeps the default rootfs out of other host users' reach: a setuid file planted inside runs for no one", async () => {
    // --rootfs-rw: the run writes into the rootfs directory itself, as the original did.
    const planted = await runInContainer(['sh', '-c', 'cp /bin/true /tmp/planted-suid && chmod 4755 /tmp/planted-suid'], {
      rootfs: ROOTFS,
      rootfsRw: true,
    });
    assert.equal(planted.code, 0, planted.stderr);
    const file = path.join(ROOTFS, 'tmp', 'planted-suid');
    try {
      assert.equal(fs.statSync(file).mode & 0o4777, 0o4755, 'the container made it setuid');
      assert.equal(fs.statSync(STORAGE_DIR).mode & 0o777, 0o700);
      // A shell as nobody execs it, as another user of the host would (setpriv itself still holds root's
      // capabilities when it execs its command).
      const asNobody = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', '-c', `exec ${file}`], { encoding: 'utf8' });
      assert.equal(asNobody.status, 126, 'a host user ran the planted setuid file');
      assert.match(asNobody.stderr, /Permission denied/);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('keeps a chroot breakout inside: pivot_root left nothing of the host to climb to', async () => {
    const marker = path.join(scratch, 'host-only-marker');
    fs.writeFileSync(marker, '');
    for (const spec of [{}, unhardened]) {
      const outcomes = await probe([`chroot-breakout=${marker}`], spec);
      assert.equal(outcomes.get(`chroot-breakout=${marker}`), 'contained', JSON.stringify(spec));
    }
  });

  for (const target of ['proc', 'sys', 'dev']) {
    it(`refuses a rootfs whose /${target} is a symlink to the host, mounting nothing there`, async () => {
      const hostDir = fs.mkdtempSync(path.join(scratch, `host-${target}-`));
      const rootfs = makeProbeRootfs(path.join(scratch, `link-${target}`), (dir) => {
        fs.rmSync(path.join(dir, target), { recursive: true });
        fs.symlinkSync(hostDir, path.join(dir, target));
      });
      const result = spawnSync(process.execPath, [CLI_PATH, 'run', rootfs, '/bd-probe'], { encoding: 'utf8' });
      assert.equal(result.status, 125, result.stderr);
      assert.equal(
        result.stderr,
        `baby-docker: /${target} in the rootfs is a symlink; a mount target must be an ordinary directory (replace it with a directory in the rootfs)\n`,
      );
      assert.deepEqual(fs.readdirSync(hostDir), []);
      assert.equal(hostMounts(), mountsBefore);
    });
  }

  it('never mounts onto the host when /proc is swapped for a symlink while containers start', async () => {
    const hostDir = fs.mkdtempSync(path.join(scratch, 'race-target-'));
    const rootfs = makeProbeRootfs(path.join(scratch, 'race'));
    // Swaps rootfs/proc between the directory and a symlink to hostDir, as fast as it can.
    const swapper = spawn('sh', ['-c', `cd ${rootfs} && while :; do mv proc proc.d; ln -s ${hostDir} proc; rm proc; mv proc.d proc; done`], {
      stdio: 'ignore',
    });
    try {
      const outcomes = new Set<string>();
      for (let i = 0; i < 40; i++) {
        const result = spawnSync(process.execPath, [CLI_PATH, 'run', rootfs, '/bd-probe', 'read=/proc/self/stat'], { encoding: 'utf8' });
        if (result.status === 0) {
          // Started: its /proc was mounted on the directory it opened, wherever the swapper moved that since.
          assert.match(result.stdout, /^read=\/proc\/self\/stat: (data|ENOENT)\n$/);
          outcomes.add('started');
        } else {
          assert.equal(result.status, 125, result.stderr);
          assert.match(result.stderr, /^baby-docker: [^\n]*(\/proc|proc)[^\n]*\n$/, 'one line about /proc');
          outcomes.add('refused');
        }
        assert.deepEqual(fs.readdirSync(hostDir), [], 'nothing appeared in the host directory');
        assert.equal(hostMounts(), mountsBefore);
      }
      assert.ok(outcomes.size > 0);
    } finally {
      swapper.kill('SIGKILL');
      await new Promise((resolve) => swapper.once('exit', resolve));
    }
  });

  it('never starts with an unhardened /proc when /proc is exchanged with another directory while containers start', async () => {
    const rootfs = makeProbeRootfs(path.join(scratch, 'exchange'), (dir) => fs.mkdirSync(path.join(dir, 'decoy')));
    // renameat2(RENAME_EXCHANGE) of proc and decoy, as fast as it can: python3 is there for node-gyp.
    const exchanger = spawn(
      'python3',
      [
        '-c',
        `import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
os.chdir(${JSON.stringify(rootfs)})
while True: libc.renameat2(-100, b"proc", -100, b"decoy", 2)`,
      ],
      { stdio: 'ignore' },
    );
    try {
      const outcomes = new Set<string>();
      for (let i = 0; i < 30; i++) {
        const result = await runInContainer(['/bd-probe', 'read=/proc/timer_list'], { rootfs }).catch((error: Error) => error);
        if (result instanceof Error) {
          // The run is refused with the steps that led to the failed open, or by the check that explains the swap.
          assert.match(
            result.message,
            /^\/proc in the rootfs was swapped during setup|^enter the root filesystem \S+: [^:]+: open \/proc/,
            'refused for a reason about /proc',
          );
          outcomes.add('refused');
        } else {
          // Started: /proc is the masked procfs ("empty"), or the decoy the exchange left at that name;
          // never a procfs that the hardening missed ("data").
          assert.equal(result.code, 0, `${result.stderr}${result.error ?? ''}`);
          assert.doesNotMatch(result.stdout, /: data$/m, 'an unmasked /proc');
          outcomes.add(result.stdout.trim());
        }
      }
      assert.ok(outcomes.size > 0);
    } finally {
      exchanger.kill('SIGKILL');
      await new Promise((resolve) => exchanger.once('exit', resolve));
    }
  });

  it("keeps the runtime's own binary out of reach through /proc/1/exe (an --init container)", async () => {
    const hash = () => createHash('sha256').update(fs.readFileSync(SHIM_PATH)).digest('hex');
    const before = hash();
    const outcomes = await probe(['write-init-exe', 'read=/proc/1/exe'], { init: true });
    assert.notEqual(outcomes.get('write-init-exe'), 'ok');
    assert.notEqual(outcomes.get('read=/proc/1/exe'), 'data');
    assert.equal(hash(), before);
  });

  /** The shim binary on the host's disk, as bd-probe's catch-exe names what it caught. */
  const shimOnDisk = () => {
    const st = fs.statSync(SHIM_PATH);
    return `${st.dev}:${st.ino}`;
  };

  it('runs its --init as a sealed copy of the shim, not the file on disk, even for a container allowed to ptrace it', async () => {
    const caught = (await probe(['catch-exe=2000'], { init: true, capAdd: ['SYS_PTRACE'] })).get('catch-exe=2000')!;
    assert.notEqual(caught, 'none', 'the probe reaches /proc/1/exe with CAP_SYS_PTRACE');
    const [file, sealed] = caught.split(' ');
    assert.notEqual(file, shimOnDisk(), "PID 1 is the host's shim binary");
    assert.equal(sealed, 'sealed');
  });

  it('lets no exec through "#!/proc/self/exe" run the shim binary of the host inside (CVE-2019-5736)', async () => {
    // /evil makes the runtime's own exec run whatever /proc/self/exe is at that
    // moment; the probe waits for it and grabs its executable. The rootfs holds
    // the libraries the shim needs, so that it can run there.
    const rootfs = makeProbeRootfs(path.join(scratch, 'cve-2019-5736'), (dir) => {
      fs.writeFileSync(path.join(dir, 'evil'), '#!/proc/self/exe\n', { mode: 0o755 });
      const ldd = spawnSync('ldd', [SHIM_PATH], { encoding: 'utf8' }).stdout;
      for (const library of ldd.match(/\/\S+/g) ?? []) {
        fs.mkdirSync(path.join(dir, path.dirname(library)), { recursive: true });
        fs.copyFileSync(library, path.join(dir, library));
      }
    });
    const hash = () => createHash('sha256').update(fs.readFileSync(SHIM_PATH)).digest('hex');
    const before = hash();
    const container = await start({ rootfs, command: ['/bd-probe', 'catch-exe=60000'] });
    container.stdin?.end();
    let stdout = '';
    container.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    try {
      for (let attempt = 0; attempt < 200 && !stdout && container.running; attempt++) await container.exec(['/evil']);
    } finally {
      container.kill();
      await container.wait();
    }
    const caught = stdout.trim().replace(/^catch-exe=60000: /, '');
    assert.match(caught, /^\d+:\d+ /, `the probe caught the exec'd shim (${stdout})`);
    const [file, sealed] = caught.split(' ');
    assert.notEqual(file, shimOnDisk(), "what entered the container is the host's shim binary");
    assert.equal(sealed, 'sealed');
    assert.equal(hash(), before);
  });

  it("gives the container pipes of the shim's, not its caller's files: a file behind < cannot be overwritten", () => {
    const input = path.join(scratch, 'input.txt');
    fs.writeFileSync(input, 'host data\n');
    const fd = fs.openSync(input, 'r');
    try {
      const result = spawnSync(
        process.execPath,
        [
          CLI_PATH,
          'run',
          ROOTFS,
          '/bin/sh',
          '-c',
          'cat; echo overwritten > /proc/self/fd/0; readlink /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2',
        ],
        { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8' },
      );
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /^host data\npipe:\[\d+\]\npipe:\[\d+\]\npipe:\[\d+\]\n$/);
    } finally {
      fs.closeSync(fd);
    }
    assert.equal(fs.readFileSync(input, 'utf8'), 'host data\n');
  });

  it('passes no fd of the host in, even one its caller left open without close-on-exec', () => {
    // fd 7 is open in the CLI (and its shim) from this shell, without CLOEXEC.
    const result = spawnSync(
      'sh',
      ['-c', 'exec 7</etc/hostname; exec "$@"', 'sh', process.execPath, CLI_PATH, 'run', ROOTFS, '/bin/sh', '-c', 'ls /proc/$$/fd'],
      { encoding: 'utf8' },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, '0\n1\n2\n');
  });
});

describe("the container's lifetime", () => {
  it('dies with its shim, even when its first process cleared its parent-death signal', { timeout: 20_000 }, async () => {
    const container = await start({ rootfs: probeRootfs, command: ['/bd-probe', 'clear-pdeathsig', 'pause'] });
    container.stdin?.end();
    let stdout = '';
    await new Promise<void>((resolve) =>
      container.stdout?.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (stdout.includes('\n')) resolve();
      }),
    );
    assert.equal(stdout, 'clear-pdeathsig: ok\n');
    const shim = Number(fs.readFileSync(`/proc/${container.hostPid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    process.kill(shim, 'SIGKILL');
    const status = await container.wait();
    assert.equal(status.code, 137);
    // Every process of it (and of its holder's namespace) is gone at once, not at the next gc.
    const deadline = Date.now() + 2000;
    while (containerProcesses().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(containerProcesses(), [], 'the container outlived its shim');
    addon().gc(false);
  });
});

describe('the status channel', () => {
  for (const jam of ['tcooff', 'ldisc-null']) {
    it(`reports the exit of a container that jammed its terminal (${jam}) at once`, { timeout: 20_000 }, async () => {
      const container = await startPty({ rootfs: probeRootfs, command: ['/bd-probe', `jam-terminal=${jam}`] }, { cols: 80, rows: 24 });
      const began = Date.now();
      const status = await container.wait();
      assert.deepEqual(outcome(status), { code: 0, signal: null, oomKilled: false, error: null });
      assert.ok(Date.now() - began < 5000, `reported after ${Date.now() - began} ms`);
    });
  }
});

describe('the network', () => {
  it("cannot reach a listener on the host's 127.0.0.1", async () => {
    const server = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      // From the host it answers...
      await new Promise<void>((resolve, reject) => net.connect(port, '127.0.0.1', resolve).on('error', reject).unref());
      // ...from inside, nothing listens there.
      assert.equal((await probe([`connect=${port}`])).get(`connect=${port}`), 'ECONNREFUSED');
    } finally {
      server.close();
    }
  });
});
