/** Any root filesystem directory works: one built by `rootfs create`, and a bare static busybox tree. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { assertNothingLeft, busyboxTree, CLI_PATH, hostMounts, runCli } from './helpers.js';

const mountsBefore = hostMounts();
let scratch: string;
before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rootfs-kinds-'));
});
after(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
  assertNothingLeft(mountsBefore);
});

describe('root filesystems', () => {
  it('runs on a rootfs made by "baby-docker rootfs create"', () => {
    const dir = path.join(scratch, 'created');
    const created = runCli(['rootfs', 'create', dir]);
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /^created a rootfs with \d+ programs in /);
    const result = runCli(['run', dir, '/bin/sh', '-c', 'echo $$; id -u; ls /etc/passwd']);
    assert.deepEqual(result, { status: 0, stdout: '1\n0\n/etc/passwd\n', stderr: '' });
  });

  it('runs on a static busybox tree with no /proc, /sys or /dev of its own', () => {
    // busybox-static is installed by .ci/run; the tree holds nothing but it.
    const dir = busyboxTree(path.join(scratch, 'busybox'), ['sh', 'ps', 'ls', 'hostname']);
    // ps runs alone, not in a pipe: in `ps | wc` it may read /proc before the shell has forked wc.
    const result = runCli(['run', '--hostname', 'tiny', dir, '/bin/sh', '-c', 'echo $$; hostname; ps -o pid,comm; ls /']);
    assert.equal(result.status, 0, result.stderr);
    const [pid, hostname, psHeader, psShell, psItself, ...rest] = result.stdout.split('\n');
    assert.deepEqual([pid, hostname], ['1', 'tiny']);
    assert.match(psHeader, /^\s*PID\s+COMMAND$/);
    assert.match(psShell, /^\s*1\s+sh$/);
    assert.match(psItself, /^\s*\d+\s+ps$/);
    assert.deepEqual(rest, ['bin', 'dev', 'proc', 'sys', '']);
    // The mount points made for the run went with it.
    assert.deepEqual(fs.readdirSync(dir), ['bin']);
  });

  it("runs the rootfs's shell when no command is named: bash in the default rootfs, sh in a busybox tree", () => {
    const script = 'echo "bash=${BASH_VERSION:-none}"\n';
    const inDefault = spawnSync(process.execPath, [CLI_PATH, 'run'], { input: script, encoding: 'utf8' });
    assert.equal(inDefault.status, 0, inDefault.stderr);
    assert.match(inDefault.stdout, /^bash=5\.\d/);
    const inBusybox = spawnSync(process.execPath, [CLI_PATH, 'run', path.join(scratch, 'busybox')], { input: script, encoding: 'utf8' });
    assert.equal(inBusybox.status, 0, inBusybox.stderr);
    assert.equal(inBusybox.stdout, 'bash=none\n');
  });

  it('leaves a directory that is no rootfs as it found it: "run .." fails clearly and creates nothing there', () => {
    const parent = fs.mkdtempSync(path.join(scratch, 'not-a-rootfs-'));
    const cwd = path.join(parent, 'here');
    fs.mkdirSync(cwd);
    const result = spawnSync(process.execPath, [CLI_PATH, 'run', '..'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(result.status, 127);
    assert.equal(
      result.stderr,
      'baby-docker: command not found in the rootfs: /bin/sh (check the path, or that its interpreter or libraries are in the rootfs)\n',
    );
    assert.deepEqual(fs.readdirSync(parent), ['here']);
  });
});
