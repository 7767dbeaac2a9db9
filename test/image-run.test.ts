/** Runs from an image, on real containers: its layers under a fresh layer, its config honoured, every run flag over it as in Docker. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertNothingLeft, busyboxTree, hostMounts, runCli } from './helpers.js';
import { loadTestImage } from './image-fixture.js';
import { TuiDriver } from './tui-driver.js';
import { startRegistry } from './registry.js';
import { findLocalImage } from '../src/runtime/images/index.js';
import { spawnSync } from 'node:child_process';

const mountsBefore = hostMounts();
const IMAGE = 'localhost/bd-run-test:1';
let scratch: string;

/** Loaded from an OCI layout of two layers (a busybox tree; then a whiteout of /etc/gone and a file over the lower's), with a config setting everything a run flag can override. */
function loadImage(dir: string): void {
  const lower = busyboxTree(path.join(scratch, 'lower'), ['sh', 'echo', 'cat', 'pwd', 'id', 'ls', 'touch', 'env', 'rm', 'grep']);
  fs.mkdirSync(path.join(lower, 'etc'));
  fs.mkdirSync(path.join(lower, 'srv', 'app'), { recursive: true });
  fs.writeFileSync(path.join(lower, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/srv/app:/bin/sh\n');
  fs.writeFileSync(path.join(lower, 'etc', 'group'), 'root:x:0:\napp:x:1000:\n');
  fs.writeFileSync(path.join(lower, 'etc', 'gone'), 'deleted by the upper layer\n');
  fs.writeFileSync(path.join(lower, 'etc', 'motd'), 'lower\n');
  const upper = path.join(scratch, 'upper');
  fs.mkdirSync(path.join(upper, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(upper, 'etc', '.wh.gone'), '');
  fs.writeFileSync(path.join(upper, 'etc', 'motd'), 'upper\n');

  loadTestImage(dir, IMAGE, [lower, upper], {
    Env: ['PATH=/bin', 'GREETING=from-image', 'KEPT=image'],
    Entrypoint: ['/bin/sh', '-c'],
    Cmd: ['echo "cmd $GREETING $KEPT $(pwd) $(id -u)"'],
    WorkingDir: '/srv/app',
    User: 'app',
  });
}

before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'image-run-'));
  loadImage(path.join(scratch, 'layout'));
});
after(() => {
  runCli(['rmi', IMAGE]);
  fs.rmSync(scratch, { recursive: true, force: true });
  assertNothingLeft(mountsBefore);
});

describe('run from an image', () => {
  it("runs the image's Entrypoint and Cmd as its User in its WorkingDir with its Env", () => {
    const result = runCli(['run', IMAGE]);
    assert.deepEqual([result.status, result.stdout], [0, 'cmd from-image image /srv/app 1000\n'], result.stderr);
  });

  it('sees the layers as overlayfs merges them: a whiteout hides the lower file, the upper one wins', () => {
    const result = runCli(['run', '-u', '0', IMAGE, 'cat /etc/motd; ls /etc/gone 2>&1 || true']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'upper\nls: /etc/gone: No such file or directory\n');
  });

  it('each flag wins over the config, as in Docker: -e, -w, -u, --entrypoint (which drops Cmd), the arguments', () => {
    const flags = runCli(['run', '-e', 'KEPT=flag', '-w', '/tmp/work', '-u', '0:0', IMAGE, 'echo "$GREETING $KEPT $(pwd) $(id -u):$(id -g)"']);
    assert.deepEqual([flags.status, flags.stdout], [0, 'from-image flag /tmp/work 0:0\n'], flags.stderr);
    const entrypoint = runCli(['run', '--entrypoint', '/bin/echo', IMAGE]);
    assert.deepEqual([entrypoint.status, entrypoint.stdout], [0, '\n'], entrypoint.stderr);
    const withArgs = runCli(['run', '--entrypoint', '/bin/echo', IMAGE, 'only', 'these']);
    assert.deepEqual([withArgs.status, withArgs.stdout], [0, 'only these\n'], withArgs.stderr);
  });

  it('--name and --read-only apply to a run from an image too; a run writes only into its own layer', () => {
    const named = runCli([
      'run',
      '--name',
      'img-run',
      '--read-only',
      '-u',
      '0',
      IMAGE,
      'touch /srv/app/x 2>&1; cat /proc/self/mounts | grep -c "^overlay / overlay ro,"',
    ]);
    assert.equal(named.status, 0, named.stderr);
    assert.match(named.stdout, /Read-only file system\n1\n$/);
    const writes = runCli(['run', '-u', '0', IMAGE, 'echo changed > /etc/motd; rm /bin/ls']);
    assert.equal(writes.status, 0, writes.stderr);
    const after = runCli(['run', '-u', '0', IMAGE, 'cat /etc/motd; ls -d /bin/ls']);
    assert.deepEqual([after.status, after.stdout], [0, 'upper\n/bin/ls\n'], after.stderr);
  });

  it('in the TUI: the picker offers the local image with its command, and a direct run honours its config', { timeout: 60_000 }, async () => {
    const env = { XDG_CONFIG_HOME: path.join(scratch, 'config') };
    const picker = new TuiDriver([], { cols: 120, rows: 40, env });
    try {
      await picker.waitFor('New container');
      await picker.waitFor(IMAGE);
      // Down to the image's entry (default is first): the command field offers its Cmd (what typing replaces, as in docker run).
      // A fresh config: the list is default, then the local images.
      picker.write('\x1b[B');
      await picker.waitFor(/› localhost\/bd-run-test:1/);
      await picker.waitFor(/'echo "cmd \$GREETING/);
      picker.write('\r');
      await picker.waitFor(/cmd from-image image \/srv\/app 1000/);
      await picker.waitFor(/exit code 0|✓ 0/);
    } finally {
      await picker.kill();
    }
    const direct = new TuiDriver([IMAGE, 'echo "direct $(id -u) $(pwd)"'], { cols: 120, rows: 40, env });
    try {
      await direct.waitFor(/direct 1000 \/srv\/app/);
    } finally {
      await direct.kill();
    }
  });

  it("in the TUI: an image named but not here is pulled first, its layers' progress in the pane, then run", { timeout: 60_000 }, async () => {
    const registry = await startRegistry(scratch);
    const remote = `127.0.0.1:${registry.port}/bd/run-test:1`;
    const pushed = spawnSync(
      'skopeo',
      ['copy', '--quiet', '--dest-tls-verify=false', `oci:${path.join(scratch, 'layout')}:${IMAGE}`, `docker://${remote}`],
      { encoding: 'utf8' },
    );
    const d = new TuiDriver([remote], { cols: 120, rows: 40, env: { XDG_CONFIG_HOME: path.join(scratch, 'config') } });
    try {
      assert.equal(pushed.status, 0, pushed.stderr);
      // In what the TUI wrote, not the screen: a small pull's progress may be drawn over before a look at the screen.
      await d.waitFor((t) => t.output.includes(`pulling ${remote}`));
      await d.waitFor(/cmd from-image image \/srv\/app 1000/);
      assert.ok(findLocalImage(remote), 'the pulled image is kept');
    } finally {
      await d.kill();
      runCli(['rmi', remote]);
      await registry.stop();
    }
  });

  it('a lab may name an image: its steps run in it, checked unattended', () => {
    const lab = path.join(scratch, 'image-lab.yaml');
    fs.writeFileSync(
      lab,
      `title: On an image\nrun:\n  rootfs: ${IMAGE}\nsteps:\n  - title: Who am I\n    text: The image's User.\n    command: id -u\n    check:\n      output: '^1000$'\n`,
    );
    const result = runCli(['lab', 'check', lab]);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /✓/);
  });

  it('refuses --rootfs-rw on an image and names an image it does not have, with one line each', () => {
    const rw = runCli(['run', '--rootfs-rw', IMAGE, 'true']);
    assert.deepEqual(
      [rw.status, rw.stderr],
      [125, `baby-docker: --rootfs-rw writes into a rootfs directory: image ${IMAGE} has layers shared with others, never written to\n`],
    );
    const missing = runCli(['run', '--pull', 'never', 'localhost/no-such-image:1', 'true']);
    assert.deepEqual(
      [missing.status, missing.stderr],
      [
        125,
        'baby-docker: no rootfs directory or local image "localhost/no-such-image:1": pull it (baby-docker pull localhost/no-such-image:1), or give a directory\n',
      ],
    );
  });
});
