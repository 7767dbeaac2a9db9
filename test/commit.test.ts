/** baby-docker commit, on real containers: a kept run's layer becomes an image, whose runs see exactly what that run left. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { start } from '../src/runtime/container.js';
import { findLocalImage } from '../src/runtime/images/index.js';
import { keptLayerPath } from '../src/runtime/layer.js';
import { assertNothingLeft, busyboxTree, hostMounts, runCli } from './helpers.js';
import { loadTestImage } from './image-fixture.js';

const mountsBefore = hostMounts();
const BASE = 'localhost/bd-commit-base:1';
const APPLETS = ['sh', 'echo', 'cat', 'ls', 'rm', 'mkdir', 'ln', 'chmod', 'stat', 'readlink', 'sleep', 'pwd', 'true'];
let scratch: string;

/** `run --keep ARGS...`: its id, from what the CLI says it kept. */
function runKept(args: string[]): { id: string; stdout: string } {
  const result = runCli(['run', '--keep', ...args]);
  const id = /--on-layer ([0-9a-f]+) /.exec(result.stderr)?.[1];
  assert.ok(id, `no kept id in: ${result.stderr}`);
  if (result.status !== 0) runCli(['rm', id]);
  assert.equal(result.status, 0, result.stderr);
  return { id, stdout: result.stdout };
}

/** Run `commit ARGS...`, which must succeed: the image id it prints. */
function commit(args: string[]): string {
  const result = runCli(['commit', ...args]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^sha256:[0-9a-f]{64}\n$/);
  return result.stdout.trim();
}

before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'commit-'));
  const lower = busyboxTree(path.join(scratch, 'base'), APPLETS);
  fs.mkdirSync(path.join(lower, 'etc', 'conf'), { recursive: true });
  fs.writeFileSync(path.join(lower, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  fs.writeFileSync(path.join(lower, 'etc', 'motd'), 'lower\n');
  fs.writeFileSync(path.join(lower, 'etc', 'gone'), 'to be deleted\n');
  fs.writeFileSync(path.join(lower, 'etc', 'conf', 'old-a'), 'a\n');
  fs.writeFileSync(path.join(lower, 'etc', 'conf', 'old-b'), 'b\n');
  loadTestImage(path.join(scratch, 'layout'), BASE, [lower], { Env: ['PATH=/bin', 'FROM=image'], Cmd: ['/bin/sh', '-c', 'echo "image cmd $FROM"'] });
});
after(() => {
  runCli(['rmi', BASE]);
  fs.rmSync(scratch, { recursive: true, force: true });
  assertNothingLeft(mountsBefore);
});

describe('commit', () => {
  it("makes an image of a run from an image: the base's layers and config, and each change exactly", () => {
    const changes = [
      'echo new > /new; ln /new /new-link',
      'echo changed > /etc/motd',
      'rm /etc/gone',
      'rm -r /etc/conf; mkdir /etc/conf; echo fresh > /etc/conf/only',
      'ln -s /etc/passwd /passwd-link',
      'echo x > /setuid; chmod 4755 /setuid',
    ].join('; ');
    const { id } = runKept([BASE, 'sh', '-c', changes]);
    const image = 'localhost/bd-commit-new:1';
    try {
      const imageId = commit([id.slice(0, 6), image]); // the start of an id will do
      const local = findLocalImage(image);
      assert.equal(local?.id, imageId);
      assert.equal(local?.layers.length, 2, "the base's layer and the run's");
      // The base's Cmd and Env are kept, as docker commit keeps them.
      const cmd = runCli(['run', '--pull', 'never', image]);
      assert.deepEqual([cmd.status, cmd.stdout], [0, 'image cmd image\n'], cmd.stderr);
      const seen = runCli([
        'run',
        '--pull',
        'never',
        image,
        'sh',
        '-c',
        [
          'cat /new /etc/motd',
          'stat -c %h /new',
          'ls /etc/gone 2>&1',
          'ls -A /etc/conf',
          '[ -L /passwd-link ] && readlink /passwd-link',
          'stat -c "%a %u" /setuid',
        ].join('; '),
      ]);
      assert.equal(seen.status, 0, seen.stderr);
      assert.equal(seen.stdout, ['new', 'changed', '2', 'ls: /etc/gone: No such file or directory', 'only', '/etc/passwd', '4755 0', ''].join('\n'));
      // The base is as it was.
      const base = runCli(['run', '--pull', 'never', BASE, 'sh', '-c', 'cat /etc/motd /etc/gone; ls /etc/conf; ls /new 2>&1 || true']);
      assert.deepEqual([base.status, base.stdout], [0, 'lower\nto be deleted\nold-a\nold-b\nls: /new: No such file or directory\n'], base.stderr);
    } finally {
      runCli(['rmi', image]);
      runCli(['rm', id]);
    }
  });

  it('finds a run by the --name it was started with; the tag defaults to latest', () => {
    const { id } = runKept(['--name', 'bd-commit-named', BASE, 'sh', '-c', 'echo named > /named']);
    try {
      const imageId = commit(['bd-commit-named', 'localhost/bd-commit-named']);
      assert.equal(findLocalImage('localhost/bd-commit-named:latest')?.id, imageId);
      const seen = runCli(['run', '--pull', 'never', 'localhost/bd-commit-named', 'cat', '/named']);
      assert.deepEqual([seen.status, seen.stdout], [0, 'named\n'], seen.stderr);
    } finally {
      runCli(['rmi', 'localhost/bd-commit-named']);
      runCli(['rm', id]);
    }
  });

  it('makes an image of a run on a rootfs directory: the directory, the run, its command, env and workdir', () => {
    const dir = busyboxTree(path.join(scratch, 'dir-rootfs'), APPLETS);
    fs.mkdirSync(path.join(dir, 'etc'));
    fs.writeFileSync(path.join(dir, 'etc', 'motd'), 'from the directory\n');
    const { id, stdout } = runKept([
      '-e',
      'GREET=hello',
      '-w',
      '/work',
      dir,
      'sh',
      '-c',
      'echo "$GREET $(pwd) $(cat /etc/motd)"; echo >> /etc/motd run',
    ]);
    assert.equal(stdout, 'hello /work from the directory\n');
    const image = 'localhost/bd-commit-dir:1';
    try {
      commit([id, image]);
      assert.equal(findLocalImage(image)?.layers.length, 2, 'the directory and the run');
      // Its Cmd is the run's command, with its env and workdir: it runs again on what it left.
      const again = runCli(['run', '--pull', 'never', image]);
      assert.deepEqual([again.status, again.stdout], [0, 'hello /work from the directory\nrun\n'], again.stderr);
      assert.equal(fs.readFileSync(path.join(dir, 'etc', 'motd'), 'utf8'), 'from the directory\n', 'the directory itself is unchanged');
    } finally {
      runCli(['rmi', image]);
      runCli(['rm', id]);
    }
  });

  it('refuses with one line and 125: an unknown run, a run that was not kept, a layer a running container uses', async () => {
    const unknown = runCli(['commit', 'no-such-run', 'localhost/bd-commit-x:1']);
    assert.deepEqual(
      [unknown.status, unknown.stderr],
      [125, 'baby-docker: no kept run "no-such-run": give the id (or its start, or the --name) of a run started with --keep\n'],
    );

    const notKept = await start({ rootfs: BASE, command: ['true'] });
    await notKept.wait();
    const refused = runCli(['commit', notKept.id, 'localhost/bd-commit-x:1']);
    assert.deepEqual(
      [refused.status, refused.stderr],
      [125, `baby-docker: no kept run "${notKept.id}": give the id (or its start, or the --name) of a run started with --keep\n`],
    );

    const running = await start({ rootfs: BASE, command: ['sleep', '60'], keep: true });
    try {
      const busy = runCli(['commit', running.id, 'localhost/bd-commit-x:1']);
      assert.deepEqual(
        [busy.status, busy.stderr],
        [125, `baby-docker: layer ${keptLayerPath(running.id)} is in use by a running container: wait for it to end\n`],
      );
    } finally {
      running.kill();
      await running.wait();
      runCli(['rm', running.id]);
    }
    assert.equal(findLocalImage('localhost/bd-commit-x:1'), null);
  });
});
