/** --network none and host, on real containers: which network stack the container has. Nothing here sends a packet. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { assertNothingLeft, hostMounts, ROOTFS, runCli } from './helpers.js';

const mountsBefore = hostMounts();
after(() => assertNothingLeft(mountsBefore));

/** The interface names in a /proc/net/dev text. */
function interfaces(procNetDev: string): string[] {
  return procNetDev.split('\n').slice(2).map((line) => line.split(':')[0]!.trim()).filter((name) => name !== '').sort();
}

describe('--network', () => {
  it('none (the default) gives a network namespace of its own holding only lo, up', () => {
    for (const flags of [[], ['--network', 'none']]) {
      const result = runCli(['run', ...flags, ROOTFS, 'sh', '-c', 'cat /proc/net/dev; echo; readlink /proc/self/ns/net; cat /sys/class/net/lo/flags']);
      assert.equal(result.status, 0, result.stderr);
      const [dev, ns] = result.stdout.split('\n\n');
      assert.deepEqual(interfaces(dev!), ['lo'], flags.join(' '));
      const [link, loFlags] = ns!.trim().split('\n');
      assert.notEqual(link, fs.readlinkSync('/proc/self/ns/net'), 'a namespace of its own');
      assert.equal(Number(loFlags) & 1, 1, 'lo is up (IFF_UP)');
    }
  });

  it("host shares the host's network namespace: the same interfaces, the same namespace", () => {
    const result = runCli(['run', '--network', 'host', ROOTFS, 'sh', '-c', 'cat /proc/net/dev; echo; readlink /proc/self/ns/net']);
    assert.equal(result.status, 0, result.stderr);
    const [dev, ns] = result.stdout.split('\n\n');
    assert.deepEqual(interfaces(dev!), interfaces(fs.readFileSync('/proc/net/dev', 'utf8')));
    assert.equal(ns!.trim(), fs.readlinkSync('/proc/self/ns/net'));
  });

  it('refuses another value with one line', () => {
    const bad = runCli(['run', '--network', 'wifi', ROOTFS, 'true']);
    assert.deepEqual([bad.status, bad.stderr], [125, 'baby-docker: invalid network "wifi": use none (the default: only lo), bridge (an address on the host\'s bridge bd0) or host (the host\'s own network)\n']);
  });
});
