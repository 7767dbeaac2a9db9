/** Paths looked up inside a rootfs as the container sees them: links resolve inside it, never out of it. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { defaultCommand, findCommandInRootfs, resolveInRootfs } from '../src/runtime/insideRootfs.js';

const rootfs = fs.mkdtempSync(path.join(os.tmpdir(), 'inside-rootfs-'));
after(() => fs.rmSync(rootfs, { recursive: true, force: true }));
fs.mkdirSync(path.join(rootfs, 'usr/bin'), { recursive: true });
fs.writeFileSync(path.join(rootfs, 'usr/bin/dash'), '', { mode: 0o755 });
fs.writeFileSync(path.join(rootfs, 'usr/bin/notes'), '', { mode: 0o644 });
fs.symlinkSync('usr/bin', path.join(rootfs, 'bin'));
fs.symlinkSync('/usr/bin/dash', path.join(rootfs, 'usr/bin/sh'));
// Links that lead out of the rootfs on the host: inside, they stay in it.
fs.symlinkSync('/etc/passwd', path.join(rootfs, 'usr/bin/passwd-link'));
fs.symlinkSync('../../../../../../bin/true', path.join(rootfs, 'usr/bin/up-link'));
fs.symlinkSync('loop-b', path.join(rootfs, 'loop-a'));
fs.symlinkSync('loop-a', path.join(rootfs, 'loop-b'));

describe('inside a rootfs', () => {
  it('resolves relative and absolute links against the rootfs', () => {
    assert.equal(resolveInRootfs(rootfs, '/bin/sh'), path.join(rootfs, 'usr/bin/dash'));
    assert.equal(resolveInRootfs(rootfs, '/bin/../bin/./dash'), path.join(rootfs, 'usr/bin/dash'));
  });

  it('never leaves it: an absolute link and ".." past its root stay inside', () => {
    assert.equal(resolveInRootfs(rootfs, '/usr/bin/passwd-link'), null, 'no /etc/passwd in the rootfs');
    assert.equal(resolveInRootfs(rootfs, '/usr/bin/up-link'), null, 'no /bin/true in the rootfs');
    assert.equal(findCommandInRootfs(rootfs, 'true'), null);
    assert.equal(resolveInRootfs(rootfs, '/loop-a'), null, 'a link loop ends');
  });

  it('names bash as the command when none is given where the rootfs has it (a link to it resolved inside), else sh', () => {
    assert.deepEqual(defaultCommand(rootfs), ['/bin/sh']);
    const withBash = fs.mkdtempSync(path.join(os.tmpdir(), 'inside-rootfs-bash-'));
    try {
      fs.mkdirSync(path.join(withBash, 'usr/bin'), { recursive: true });
      fs.symlinkSync('usr/bin', path.join(withBash, 'bin'));
      fs.symlinkSync('/usr/bin/bash5', path.join(withBash, 'usr/bin/bash'));
      assert.deepEqual(defaultCommand(withBash), ['/bin/sh'], 'a link to nothing inside is no bash');
      fs.writeFileSync(path.join(withBash, 'usr/bin/bash5'), '', { mode: 0o755 });
      assert.deepEqual(defaultCommand(withBash), ['/bin/bash']);
    } finally {
      fs.rmSync(withBash, { recursive: true, force: true });
    }
  });

  it('finds a command by path or on the PATH, only as an executable file', () => {
    assert.equal(findCommandInRootfs(rootfs, '/bin/sh'), '/bin/sh');
    assert.equal(findCommandInRootfs(rootfs, 'sh'), '/usr/bin/sh');
    assert.equal(findCommandInRootfs(rootfs, 'notes'), null, 'not executable');
    assert.equal(findCommandInRootfs(rootfs, '/usr/bin'), null, 'a directory');
  });
});
