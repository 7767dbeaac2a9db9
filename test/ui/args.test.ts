/** baby-docker-tui's command line. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultBundleConfig } from '../../src/runtime/bundle.js';
import { parseArgs } from '../../src/ui/args.js';

describe('baby-docker-tui arguments', () => {
  it('--pids and --init apply to every run of the session, the direct one too', () => {
    const args = parseArgs(['--pids', '64', '--init', '--cap-drop', 'NET_RAW', 'default', 'sleep', '9'])!;
    assert.deepEqual(args.session, { pids: 64, init: true, capDrop: ['NET_RAW'] });
    assert.deepEqual(args.direct, {
      rootfs: 'default',
      command: ['sleep', '9'],
      memory: '100m',
      hostname: '',
      pids: 64,
      init: true,
      capDrop: ['NET_RAW'],
    });
  });

  it('a bad --pids is refused before anything starts', () => {
    assert.throws(() => parseArgs(['--pids', 'lots']), /pids/);
  });

  it('-p publishes a port of every run, as -v binds a path; --network goes to the picker and the direct run', () => {
    const args = parseArgs(['-p', '8080:80', '--publish', '127.0.0.1:5353:53/udp', '--network', 'bridge', 'default', 'sleep', '9'])!;
    assert.deepEqual(args.session, { publish: ['8080:80', '127.0.0.1:5353:53/udp'] });
    assert.equal(args.network, 'bridge');
    assert.deepEqual(args.direct, {
      rootfs: 'default',
      command: ['sleep', '9'],
      memory: '100m',
      hostname: '',
      network: 'bridge',
      publish: ['8080:80', '127.0.0.1:5353:53/udp'],
    });
    assert.equal(parseArgs([])!.network, '', "no --network: the runtime's default");
    assert.equal('network' in parseArgs(['default'])!.direct!, false);
  });

  it("a bad -p or --network is refused before anything starts, with the runtime's one line", () => {
    assert.throws(() => parseArgs(['-p', '80']), /^RuntimeError: -p 80: give \[IP:\]HOST:CONTAINER/);
    assert.throws(() => parseArgs(['-p', '8080:80/sctp']), /the protocol must be tcp or udp/);
    assert.throws(() => parseArgs(['--network', 'wifi']), /invalid network "wifi"/);
  });

  it("--bundle starts a bundle at once: its settings, with the session's options added; no rootfs or command beside it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-args-bundle-'));
    try {
      const config = defaultBundleConfig() as { process: Record<string, unknown>; linux: Record<string, unknown> };
      config.process = { ...config.process, args: ['sh', '-c', 'echo hi'], env: ['PATH=/bin', 'A=1'], cwd: '/srv', user: { uid: 7, gid: 8 } };
      config.linux = { ...config.linux, resources: { memory: { limit: 64 * 1024 * 1024 } } };
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, hostname: 'b' }));
      const args = parseArgs(['--bundle', dir, '-v', '/srv:/srv:ro', '--pids', '9'])!;
      assert.deepEqual(args.direct, {
        rootfs: path.join(dir, 'rootfs'),
        command: ['sh', '-c', 'echo hi'],
        env: { PATH: '/bin', A: '1' },
        workdir: '/srv',
        user: '7:8',
        hostname: 'b',
        readOnly: true,
        memory: String(64 * 1024 * 1024),
        pids: 9,
        volumes: ['/srv:/srv:ro'],
        tmpfs: [],
        network: 'none',
      });
      assert.throws(
        () => parseArgs(['--bundle', dir, 'default', 'sh']),
        /^RuntimeError: --bundle gives the rootfs and the command: leave out default sh$/,
      );
      assert.throws(() => parseArgs(['--bundle', path.join(dir, 'nothing')]), /cannot read config\.json \(ENOENT\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
