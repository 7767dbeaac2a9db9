/** --network none, host and the default bridge, on real containers: which network stack the container has. Nothing here sends a packet. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { assertNothingLeft, hostMounts, ROOTFS, runCli } from './helpers.js';

const mountsBefore = hostMounts();
after(() => assertNothingLeft(mountsBefore));

/** The interface names in a /proc/net/dev text. */
function interfaces(procNetDev: string): string[] {
  return procNetDev
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]!.trim())
    .filter((name) => name !== '')
    .sort();
}

describe('--network', () => {
  it('none gives a network namespace of its own holding only lo, up; the default, the bridge, adds eth0', () => {
    for (const [flags, expected] of [
      [['--network', 'none'], ['lo']],
      [[], ['eth0', 'lo']],
    ] as const) {
      const result = runCli([
        'run',
        ...flags,
        ROOTFS,
        'sh',
        '-c',
        'cat /proc/net/dev; echo; readlink /proc/self/ns/net; cat /sys/class/net/lo/flags',
      ]);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stderr, '', 'the bridge did not fall back');
      const [dev, ns] = result.stdout.split('\n\n');
      assert.deepEqual(interfaces(dev!), expected, flags.join(' '));
      const [link, loFlags] = ns!.trim().split('\n');
      assert.notEqual(link, fs.readlinkSync('/proc/self/ns/net'), 'a namespace of its own');
      assert.equal(Number(loFlags) & 1, 1, 'lo is up (IFF_UP)');
    }
  });

  it('gives -p to the bridge alone, and refuses a bad one with one line', () => {
    const cases: [string[], string][] = [
      [['--network', 'none', '-p', '8080:80'], "-p publishes a port of the container's own network: it needs --network bridge, not none"],
      [['-p', '8080'], '-p 8080: give [IP:]HOST:CONTAINER, e.g. -p 8080:80 or -p 127.0.0.1:8080:80'],
      [['-p', '8080:70000'], '-p 8080:70000: "70000" is not a port (1-65535)'],
      [['-p', '8080:80/sctp'], '-p 8080:80/sctp: the protocol must be tcp or udp, e.g. -p 8080:80/udp'],
      [['-p', '300.1.1.1:8080:80'], '-p 300.1.1.1:8080:80: "300.1.1.1" is not an IPv4 address'],
      [['-p', '8080:80', '-p', '8080:81'], '-p: host port 8080/tcp is published twice: give each host port once'],
    ];
    for (const [flags, message] of cases) {
      const bad = runCli(['run', ...flags, ROOTFS, 'true']);
      assert.deepEqual([bad.status, bad.stderr], [125, `baby-docker: ${message}\n`], flags.join(' '));
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
    assert.deepEqual(
      [bad.status, bad.stderr],
      [
        125,
        'baby-docker: invalid network "wifi": use bridge (the default: an address on the host\'s bridge bd0, NAT out), none (only lo) or host (the host\'s own network)\n',
      ],
    );
  });
});
