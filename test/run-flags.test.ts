/** Docker's everyday run flags, on real containers: -e, --env-file, -w, -u, --entrypoint, --read-only, --rm. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { start } from '../src/runtime/container.js';
import { assertNothingLeft, busyboxTree, CLI_PATH, hostMounts, ROOTFS, runCli } from './helpers.js';

const mountsBefore = hostMounts();
let scratch: string;
before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'run-flags-'));
});
after(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
  assertNothingLeft(mountsBefore);
});

/** A busybox tree whose /etc/passwd is `passwd` (a FIFO when null), for the -u lookups. */
function busyboxWithPasswd(name: string, passwd: string | null): string {
  const dir = busyboxTree(path.join(scratch, name), ['sh', 'id', 'cat', 'grep']);
  fs.mkdirSync(path.join(dir, 'etc'));
  if (passwd === null) spawnSync('mkfifo', [path.join(dir, 'etc', 'passwd')]);
  else fs.writeFileSync(path.join(dir, 'etc', 'passwd'), passwd);
  fs.writeFileSync(path.join(dir, 'etc', 'group'), 'root:x:0:\nstaff:x:50:alice\nlab:x:60:alice,bob\n');
  return dir;
}

describe('run flags', () => {
  it('-e sets a variable (a bare KEY passes ours on), --env-file reads KEY=VALUE lines, skipping comments', () => {
    const file = path.join(scratch, 'env');
    fs.writeFileSync(file, '# settings\nFROM_FILE=two words\n\nSHARED=file\n');
    const result = spawnSync(
      process.execPath,
      [
        CLI_PATH,
        'run',
        '--env-file',
        file,
        '-e',
        'SHARED=flag',
        '-e',
        'PASSED',
        '-e',
        'UNSET_HERE',
        'default',
        'sh',
        '-c',
        'echo "$FROM_FILE|$SHARED|$PASSED|${UNSET_HERE-unset}"',
      ],
      { encoding: 'utf8', env: { ...process.env, PASSED: 'ours' } },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'two words|flag|ours|unset\n', 'a later -e wins over the file, as in Docker');
    const bad = runCli(['run', '-e', '=x', 'default', 'true']);
    assert.equal(bad.status, 125);
    assert.match(bad.stderr, /^baby-docker: -e takes KEY=VALUE/);
  });

  it('-w makes the working directory if missing and starts there; a relative one is refused', () => {
    const inside = `/tmp/${path.basename(scratch)}-workdir/a/b`;
    try {
      const result = runCli(['run', '-w', inside, 'default', 'sh', '-c', 'pwd; ls -d ..']);
      assert.deepEqual([result.status, result.stdout], [0, `${inside}\n..\n`], result.stderr);
    } finally {
      fs.rmSync(path.join(ROOTFS, 'tmp', `${path.basename(scratch)}-workdir`), { recursive: true, force: true });
    }
    const relative = runCli(['run', '-w', 'tmp', 'default', 'true']);
    assert.equal(relative.status, 125);
    assert.equal(relative.stderr, 'baby-docker: working directory "tmp" is not absolute: give it from /, e.g. -w /tmp\n');
  });

  it("-u runs as a UID, a name of the rootfs's passwd (with the groups its group file lists), or NAME:GROUP, without capabilities", () => {
    const dir = busyboxWithPasswd('users', 'root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n');
    const id = (user: string) => runCli(['run', '-u', user, dir, 'sh', '-c', 'id -u; id -g; id -G; grep CapEff /proc/self/status']);
    assert.deepEqual(id('alice').stdout.split('\n'), ['1000', '1000', '1000 50 60', 'CapEff:\t0000000000000000', '']);
    assert.deepEqual(id('alice:lab').stdout.split('\n').slice(0, 2), ['1000', '60']);
    assert.deepEqual(id('4321:7').stdout.split('\n').slice(0, 3), ['4321', '7', '7'], 'a UID needs no passwd entry');
    assert.deepEqual(id('0').stdout.split('\n').slice(0, 2), ['0', '0']);
    const unknown = runCli(['run', '-u', 'mallory', dir, 'true']);
    assert.equal(unknown.status, 125);
    assert.equal(unknown.stderr, 'baby-docker: no user "mallory" in the container\'s /etc/passwd: give a UID, or a user it lists\n');
    const noGroup = runCli(['run', '-u', 'alice:wheel', dir, 'true']);
    assert.match(noGroup.stderr, /no group "wheel" in the container's \/etc\/group/);
  });

  it('-u never hangs on a passwd that is no file (a FIFO) and never asks NSS: the lookup says it has no such user', () => {
    const dir = busyboxWithPasswd('fifo', null);
    const result = spawnSync(process.execPath, [CLI_PATH, 'run', '-u', 'alice', dir, 'true'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(result.status, 125, `status ${result.status}, signal ${result.signal}: ${result.stderr}`);
    assert.match(result.stderr, /no user "alice" in the container's \/etc\/passwd/);
  });

  it('--name: ps shows it, exec finds the container by it, a second live run cannot take it, and it is free once the run ends', async () => {
    const name = `web-${process.pid}`;
    const first = await start({ rootfs: ROOTFS, command: ['sleep', '60'], name });
    try {
      assert.match(runCli(['ps']).stdout, new RegExp(`^${first.id} +${name} +${first.hostPid} `, 'm'));
      const exec = runCli(['exec', name, 'hostname']);
      assert.deepEqual([exec.status, exec.stdout], [0, `${first.id}\n`], exec.stderr);
      const second = runCli(['run', '--name', name, 'default', 'true']);
      assert.equal(second.status, 125);
      assert.equal(second.stderr, `baby-docker: the name ${name} is taken by container ${first.id}: choose another, or stop that one\n`);
      const invalid = runCli(['run', '--name', 'abc123', 'default', 'true']);
      assert.match(invalid.stderr, /^baby-docker: invalid name "abc123": .*not only hex digits/);
    } finally {
      first.kill();
      await first.wait();
    }
    const again = runCli(['run', '--name', name, 'default', 'true']);
    assert.equal(again.status, 0, again.stderr);
  });

  it('--entrypoint runs its program with the COMMAND words as arguments', () => {
    const result = runCli(['run', '--entrypoint', '/bin/echo', 'default', 'hello', 'there']);
    assert.deepEqual([result.status, result.stdout], [0, 'hello there\n'], result.stderr);
  });

  it('--read-only mounts / read-only (its /proc still there); --rm is accepted', () => {
    const result = runCli(['run', '--rm', '--read-only', 'default', 'sh', '-c', 'touch /tmp/x 2>&1; echo rc=$?; cat /proc/1/comm']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Read-only file system\nrc=1\nsh\n$/);
    assert.equal(fs.existsSync(path.join(ROOTFS, 'tmp', 'x')), false);
  });
});
