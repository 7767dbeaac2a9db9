import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createRootfs, ensureDefaultRootfs, ROOTFS_PROGRAMS, RootfsError } from '../src/runtime/rootfs.js';

const CHROOT = '/usr/sbin/chroot';
const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
// The suite runs as root (chroot, mount), like every test here.
assert.equal(process.getuid?.(), 0, 'the tests run as root: sudo npm test');

function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rootfs-test-'));
}

/** Run a command inside the rootfs; throws if it exits non-zero. */
function runInRootfs(root: string, command: string[]): string {
  return execFileSync(CHROOT, [root, ...command], {
    encoding: 'utf8',
    env: { PATH: HOST_PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function assertRootfsError(build: () => unknown, message: RegExp): void {
  assert.throws(build, (err: unknown) => {
    assert.ok(err instanceof RootfsError, `expected a RootfsError, got ${String(err)}`);
    assert.match(err.message, message);
    assert.doesNotMatch(err.message, /\n/);
    return true;
  });
}

/** Every entry under `dir` with its inode and mtime, to tell whether the tree changed. */
function snapshot(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((name) => {
      const stat = fs.lstatSync(path.join(dir, name));
      return `${name} ${stat.ino} ${stat.mtimeMs}`;
    });
}

/** Mount a small tmpfs on `dir` for the duration of `body`. */
function withTmpfs(dir: string, options: string, body: () => void): void {
  fs.mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  try {
    body();
  } finally {
    execFileSync('umount', [dir]);
  }
}

const execFileAsync = promisify(execFile);

/** ensureDefaultRootfs(dir) in a separate node process, so several can race. */
async function ensureDefaultRootfsInChild(dir: string): Promise<string> {
  const moduleUrl = new URL('../src/runtime/rootfs.js', import.meta.url).href;
  const script = `import { ensureDefaultRootfs } from ${JSON.stringify(moduleUrl)};
console.log(ensureDefaultRootfs(process.argv[1]));`;
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script, dir]);
  return stdout.trim();
}

describe('createRootfs', () => {
  let parent: string;
  let root: string;
  let copied: string[];
  before(() => {
    parent = makeTempDir();
    root = path.join(parent, 'rootfs');
    copied = createRootfs(root);
  });
  after(() => fs.rmSync(parent, { recursive: true, force: true }));

  it('copies sh and the listed programs the host has', () => {
    assert.equal(copied[0], 'sh');
    for (const name of copied) assert.ok(ROOTFS_PROGRAMS.includes(name), `${name} is not in ROOTFS_PROGRAMS`);
    for (const name of ['ls', 'cat', 'grep', 'id', 'ps']) assert.ok(copied.includes(name), `${name} was not copied`);
  });

  it('gives a working shell running as root', () => {
    const [greeting, ...lines] = runInRootfs(root, ['/bin/sh', '-c', 'echo hi; ls /; id -u; id -un']).trim().split('\n');
    assert.equal(greeting, 'hi');
    assert.deepEqual(lines.slice(-2), ['0', 'root']);
    const topLevel = lines.slice(0, -2);
    for (const name of ['bin', 'dev', 'etc', 'home', 'lib', 'proc', 'root', 'run', 'sbin', 'sys', 'tmp', 'usr', 'var']) {
      assert.ok(topLevel.includes(name), `/${name} missing from ls /: ${topLevel.join(' ')}`);
    }
  });

  it('runs ls, cat and grep with their libraries', () => {
    for (const name of ['ls', 'cat', 'grep']) assert.match(runInRootfs(root, [name, '--version']), /GNU/);
  });

  it('carries bd-probe, static, for the labs: it runs in the rootfs with no library', () => {
    const probe = path.join(root, 'usr', 'local', 'bin', 'bd-probe');
    assert.equal(fs.statSync(probe).mode & 0o777, 0o755);
    assert.equal(runInRootfs(root, ['/usr/local/bin/bd-probe', 'read=/etc/hostname']).trim(), 'read=/etc/hostname: data');
  });

  it('has the shared libraries of every copied program', () => {
    for (const name of copied) {
      // Not every program knows --version; what matters is that the loader finds its libraries.
      const result = spawnSync(CHROOT, [root, name, '--version'], {
        encoding: 'utf8',
        env: { PATH: HOST_PATH },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 10_000,
      });
      assert.equal(result.error, undefined, `${name}: ${String(result.error)}`);
      assert.doesNotMatch(result.stderr, /error while loading shared libraries/, name);
      assert.notEqual(result.status, 127, `${name}: ${result.stderr}`);
    }
  });

  it('copies files rather than linking them to the host', () => {
    const copy = fs.lstatSync(path.join(root, 'usr/bin/ls'));
    const host = fs.statSync('/usr/bin/ls');
    assert.ok(copy.isFile());
    assert.ok(copy.ino !== host.ino || copy.dev !== host.dev, 'rootfs /usr/bin/ls is the host file');
    assert.equal(copy.mode, host.mode);
    for (const name of fs.readdirSync(root, { recursive: true, encoding: 'utf8' })) {
      const stat = fs.lstatSync(path.join(root, name));
      if (stat.isFile()) assert.equal(stat.nlink, 1, `${name} is hard-linked`);
    }
  });

  it("recreates the host's top-level symlinks", () => {
    for (const dir of ['/bin', '/sbin', '/lib', '/lib64']) {
      if (fs.lstatSync(dir, { throwIfNoEntry: false })?.isSymbolicLink()) {
        assert.equal(fs.readlinkSync(path.join(root, dir)), fs.readlinkSync(dir), dir);
      }
    }
  });

  it('resolves /bin/sh to the same program as the host', () => {
    assert.equal(runInRootfs(root, ['readlink', '-f', '/bin/sh']).trim(), fs.realpathSync('/bin/sh'));
  });

  it('creates the base directories and /etc files', () => {
    for (const dir of ['proc', 'sys', 'dev', 'root', 'etc', 'run', 'home']) {
      assert.ok(fs.lstatSync(path.join(root, dir)).isDirectory(), dir);
    }
    for (const dir of ['tmp', 'var/tmp']) assert.equal(fs.statSync(path.join(root, dir)).mode & 0o7777, 0o1777, dir);
    assert.equal(fs.statSync(root).mode & 0o777, 0o755);
    const etc = (name: string) => fs.readFileSync(path.join(root, 'etc', name), 'utf8');
    assert.match(etc('passwd'), /^root:x:0:0:root:\/root:\/bin\/sh$/m);
    assert.match(etc('passwd'), /^nobody:/m);
    assert.match(etc('group'), /^tty:x:5:$/m);
    assert.equal(etc('hostname'), 'baby-docker\n');
    assert.match(etc('hosts'), /^127\.0\.0\.1\s+localhost$/m);
    assert.match(etc('hosts'), /^::1\s+localhost$/m);
    assert.match(etc('nsswitch.conf'), /^passwd:\s+files$/m);
    assert.match(etc('os-release'), /^NAME="baby-docker rootfs"$/m);
  });
});

describe('createRootfs errors', () => {
  let parent: string;
  before(() => {
    parent = makeTempDir();
  });
  after(() => fs.rmSync(parent, { recursive: true, force: true }));

  it('refuses a non-empty directory and leaves it alone', () => {
    const dir = path.join(parent, 'busy');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'keep.txt'), 'keep');
    assertRootfsError(() => createRootfs(dir), /is not empty; empty it or pass/);
    assert.deepEqual(fs.readdirSync(dir), ['keep.txt']);
    assert.equal(fs.readFileSync(path.join(dir, 'keep.txt'), 'utf8'), 'keep');
  });

  it("never writes into a built tree: a container's link at bd-probe does not lead a write onto the host", () => {
    const home = fs.mkdtempSync(path.join(parent, 'link-'));
    const dir = path.join(home, 'default');
    ensureDefaultRootfs(dir);
    // What a container can do to its rootfs: bd-probe replaced by a link to a host path.
    const hostFile = path.join(home, 'host-file');
    const probe = path.join(dir, 'usr/local/bin/bd-probe');
    fs.rmSync(probe);
    fs.symlinkSync(hostFile, probe);
    assert.equal(ensureDefaultRootfs(dir), dir);
    assert.equal(fs.existsSync(hostFile), false, 'the host file was written through the link');
    assert.equal(fs.readlinkSync(probe), hostFile, 'the tree is left as the container left it');
  });

  it('refuses a path that is a regular file', () => {
    const file = path.join(parent, 'file');
    fs.writeFileSync(file, 'data');
    assertRootfsError(() => createRootfs(file), /exists and is not a directory/);
    assert.equal(fs.readFileSync(file, 'utf8'), 'data');
    assertRootfsError(() => createRootfs(path.join(file, 'rootfs')), /ENOTDIR.*not a directory; choose another path/);
  });

  it('refuses a missing parent directory', () => {
    const missing = path.join(parent, 'missing');
    assertRootfsError(() => createRootfs(path.join(missing, 'rootfs')), /parent directory .*missing does not exist; create it first/);
    assert.equal(fs.existsSync(missing), false);
  });

  it('reports a read-only location', () => {
    withTmpfs(path.join(parent, 'readonly'), 'ro,size=1m', () => {
      assertRootfsError(() => createRootfs(path.join(parent, 'readonly', 'rootfs')), /EROFS.*writable filesystem/);
    });
  });

  it('leaves nothing behind when the build fails midway', () => {
    const small = path.join(parent, 'small');
    // 256 KiB is too small for libc: the build fails after copying a few files.
    withTmpfs(small, 'size=256k', () => {
      assertRootfsError(() => createRootfs(path.join(small, 'rootfs')), /ENOSPC.*free some disk space/);
      assert.deepEqual(fs.readdirSync(small), []);
      // An existing empty directory is emptied again, not removed.
      assertRootfsError(() => createRootfs(small), /ENOSPC/);
      assert.deepEqual(fs.readdirSync(small), []);
    });
  });
});

describe('ensureDefaultRootfs', () => {
  let parent: string;
  before(() => {
    parent = makeTempDir();
  });
  after(() => fs.rmSync(parent, { recursive: true, force: true }));

  it('builds once, then returns the existing tree unchanged', () => {
    const home = fs.mkdtempSync(path.join(parent, 'once-'));
    const dir = path.join(home, 'nested', 'default');
    assert.equal(ensureDefaultRootfs(dir), dir);
    assert.ok(fs.existsSync(path.join(dir, 'etc/os-release')));
    const built = snapshot(dir);

    const start = performance.now();
    assert.equal(ensureDefaultRootfs(dir), dir);
    assert.ok(performance.now() - start < 100, 'second call rebuilt the rootfs');
    assert.deepEqual(snapshot(dir), built);
    assert.deepEqual(fs.readdirSync(path.join(home, 'nested')), ['default'], 'temporary sibling left behind');
  });

  it('lets concurrent callers share one complete tree', async () => {
    const home = fs.mkdtempSync(path.join(parent, 'race-'));
    const dir = path.join(home, 'default');
    const results = await Promise.all([1, 2, 3].map(() => ensureDefaultRootfsInChild(dir)));
    assert.deepEqual(results, [dir, dir, dir]);
    assert.ok(fs.existsSync(path.join(dir, 'etc/os-release')));
    assert.deepEqual(fs.readdirSync(home), ['default'], 'temporary sibling left behind');
  });

  it('refuses a path that is a regular file', () => {
    const file = path.join(parent, 'file');
    fs.writeFileSync(file, 'data');
    assertRootfsError(() => ensureDefaultRootfs(file), /exists and is not a directory; remove it/);
  });
});
