/** -v and --tmpfs on real containers: what is bound where, read-only where asked, never through a link out of the rootfs. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertNothingLeft, busyboxTree, hostMounts, runCli } from './helpers.js';

const mountsBefore = hostMounts();
let scratch: string;
let rootfs: string;

before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'volumes-'));
  rootfs = busyboxTree(path.join(scratch, 'rootfs'), ['sh', 'cat', 'echo', 'ls', 'dd', 'df', 'cp', 'chmod', 'stat', 'mount', 'grep']);
});
after(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
  assertNothingLeft(mountsBefore);
});

describe('volumes', () => {
  it('-v binds a host directory read-write and a file read-only, nested ones inside their parents whatever the order given', () => {
    const data = path.join(scratch, 'data');
    const sub = path.join(scratch, 'sub');
    fs.mkdirSync(data);
    fs.mkdirSync(sub);
    fs.writeFileSync(path.join(data, 'from-host'), 'host data\n');
    fs.writeFileSync(path.join(sub, 'inner'), 'inner\n');
    const config = path.join(scratch, 'app.conf');
    fs.writeFileSync(config, 'setting=1\n');
    const result = runCli([
      'run',
      '-v',
      `${sub}:/srv/data/sub`,
      '-v',
      `${data}:/srv/data`,
      '-v',
      `${config}:/etc/app.conf:ro`,
      rootfs,
      'sh',
      '-c',
      'cat /srv/data/from-host /srv/data/sub/inner /etc/app.conf; echo written > /srv/data/from-container; (echo x > /etc/app.conf) 2>/dev/null || echo refused; grep " /etc/app.conf " /proc/self/mounts | grep -o "^[^ ]* [^ ]* [^ ]* ro,"',
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^host data\ninner\nsetting=1\nrefused\n\S+ \/etc\/app.conf \S+ ro,\n$/);
    assert.equal(fs.readFileSync(path.join(data, 'from-container'), 'utf8'), 'written\n', 'a write to a read-write volume reaches the host');
    assert.equal(fs.readFileSync(config, 'utf8'), 'setting=1\n');
    assert.equal(fs.existsSync(path.join(rootfs, 'srv')), false, "the mount targets were made in the rootfs directory, not the run's layer");
  });

  it('makes a missing target inside the rootfs even where a symlink of the rootfs names a host path', () => {
    // An absolute link, as rootfs trees hold: inside the container /link is the rootfs's own /etc, never the host's.
    fs.mkdirSync(path.join(rootfs, 'etc'), { recursive: true });
    fs.symlinkSync('/etc', path.join(rootfs, 'link'));
    fs.symlinkSync(path.join(scratch, 'nowhere'), path.join(rootfs, 'dangling'));
    const name = `volume-target-${path.basename(scratch)}`;
    const data = path.join(scratch, 'linked-data');
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(data, 'f'), 'bound\n');
    try {
      const result = runCli([
        'run',
        '-v',
        `${data}:/link/${name}/mnt`,
        '--tmpfs',
        `/link/${name}-tmp`,
        rootfs,
        'sh',
        '-c',
        `cat /etc/${name}/mnt/f; ls -d /etc/${name}-tmp`,
      ]);
      assert.deepEqual([result.status, result.stdout], [0, `bound\n/etc/${name}-tmp\n`], result.stderr);
      assert.equal(
        fs.existsSync(`/etc/${name}`) || fs.existsSync(`/etc/${name}-tmp`),
        false,
        'a mount target was made through the link, on the host',
      );
      const dangling = runCli(['run', '-v', `${data}:/dangling/mnt`, rootfs, 'true']);
      assert.deepEqual(
        [dangling.status, dangling.stderr],
        [
          125,
          'baby-docker: volume target /dangling/mnt: /dangling in the rootfs is a symlink to nothing: make what it names, or choose another path\n',
        ],
      );
      assert.equal(fs.existsSync(path.join(scratch, 'nowhere')), false);
    } finally {
      fs.unlinkSync(path.join(rootfs, 'link'));
      fs.unlinkSync(path.join(rootfs, 'dangling'));
    }
  });

  it('--tmpfs is bounded by size=, noexec unless exec, and gone with the run', () => {
    const result = runCli([
      'run',
      '--tmpfs',
      '/scratch:size=1m,mode=1777',
      '--tmpfs',
      '/run/app:exec',
      rootfs,
      'sh',
      '-c',
      'dd if=/dev/zero of=/scratch/fill bs=64k count=64 2>&1 | grep -o "No space left on device"; stat -c %a /scratch; ' +
        "cp /bin/busybox /scratch/sh 2>/dev/null; /scratch/sh -c true 2>/dev/null || echo noexec; cp /bin/busybox /run/app/sh; /run/app/sh -c 'echo exec'",
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'No space left on device\n1777\nnoexec\nexec\n');
    const again = runCli(['run', '--tmpfs', '/scratch', rootfs, 'ls', '/scratch']);
    assert.deepEqual([again.status, again.stdout], [0, ''], again.stderr);
  });

  it('refuses bad volumes with one line and exit code 125, leaving nothing', () => {
    const cases: [string[], string][] = [
      [['-v', '/no/such/dir:/data'], '-v /no/such/dir:/data: /no/such/dir does not exist on the host: create it first'],
      [['-v', 'data:/data'], '-v data:/data: the host path must be absolute (named volumes are not supported), e.g. -v $PWD/data:/data'],
      [['-v', `${scratch}:relative`], `-v ${scratch}:relative: the path inside must be absolute and below /, e.g. /data`],
      [['-v', `${scratch}:/`], `-v ${scratch}:/: the path inside must be absolute and below /, e.g. /data`],
      [['-v', `${scratch}:/data:rx`], `-v ${scratch}:/data:rx: give HOST:CONTAINER or HOST:CONTAINER:ro, e.g. -v /srv/data:/data:ro`],
      [['--tmpfs', '/t:suid'], '--tmpfs /t:suid: unknown option "suid": use size=64m, mode=1777, uid=, gid=, nr_inodes=, exec, ro'],
    ];
    for (const [flags, message] of cases) {
      const result = runCli(['run', ...flags, rootfs, 'true']);
      assert.deepEqual([result.status, result.stderr], [125, `baby-docker: ${message}\n`], flags.join(' '));
    }
    // A directory bound where the rootfs has a file: the shim says so.
    fs.mkdirSync(path.join(rootfs, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(rootfs, 'etc', 'plain'), '');
    const mismatch = runCli(['run', '-v', `${scratch}:/etc/plain`, rootfs, 'true']);
    assert.deepEqual(
      [mismatch.status, mismatch.stderr],
      [125, `baby-docker: volume ${scratch} is a directory but /etc/plain in the rootfs is not\n`],
    );
  });
});
