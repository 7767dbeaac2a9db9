import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pastRunLine, StatusBar, statusBarLine } from '../../src/ui/components/StatusBar.js';
import type { TextRun } from '../../src/ui/services/screen.js';
import type { LiveStats } from '../../src/ui/types.js';
import { BRIDGE_NETWORK, T0, frameOf, makeRun } from './fixtures.js';

const text = (runs: TextRun[]) => runs.map((run) => run.text).join('');

const STATS: LiveStats = {
  memory: { current: 12 * 1024 * 1024, peak: 20 * 1024 * 1024, limit: 100 * 1024 * 1024, oomKills: 0 },
  pids: { current: 2, limit: 1024 },
  hostname: 'box1',
  network: BRIDGE_NETWORK,
  at: T0,
};

test('a running container on one line, most needed first: state and uptime, memory against its limit, processes, PIDs, hostname, network', () => {
  assert.equal(
    text(statusBarLine(makeRun(), STATS, T0 + 65_000)),
    '#1 running · up 1m 05s · mem 12.0 MiB / 100.0 MiB · procs 2/1024 · PID 1 (host 4242) · hostname box1 · net bridge 10.88.0.7 rx 1.8 KiB tx 796 B · 127.0.0.1:8080 → 80/tcp · peak 20.0 MiB',
  );
  const isolated = { ...STATS, network: { mode: 'none' as const, bridge: null, interfaces: [{ name: 'lo', rxBytes: 0, txBytes: 0 }], ports: [] } };
  assert.match(text(statusBarLine(makeRun(), isolated, T0)), / · net none rx 0 B tx 0 B · peak /);
});

test('an ended container says how it ended first, and no live-looking figures', () => {
  const memory = { current: 0, peak: 50 * 1024 * 1024, limit: 50 * 1024 * 1024, oomKills: 2 };
  const run = makeRun({ phase: 'exited', endedAt: T0 + 3_000, status: { code: 137, signal: 'SIGKILL', oomKilled: true, memory, error: null } });
  const line = text(statusBarLine(run, STATS, T0 + 60_000));
  assert.match(
    line,
    /^#1 exited · ran 3s · exit 137 \(SIGKILL\) OOM-killed · peak 50\.0 MiB \/ 50\.0 MiB · OOM kills 2 · PID 1 \(host 4242\) · hostname box1$/,
  );
  assert.doesNotMatch(line, /mem |procs|net /);
});

test('a past run picked in the history shows what the history remembers of it', () => {
  const options = { rootfs: '/srv/alpine', command: ['sh', '-c', 'echo "hi there"; exit 5'], memory: '100m', hostname: '' };
  const status = { code: 5, signal: null, oomKilled: false, memory: { current: 0, peak: 3 * 1024 * 1024, limit: null, oomKills: 0 }, error: null };
  const past = makeRun({ seq: 2, options, phase: 'exited', endedAt: T0 + 2_000, status });
  assert.equal(text(pastRunLine(past)), `history #2 exit 5 · ran 2s · peak 3.0 MiB · $ sh -c 'echo "hi there"; exit 5' · /srv/alpine`);
});

test('the bar is one line, cut with … where the terminal ends, the past run picked in place of the current one', () => {
  const past = makeRun({
    seq: 1,
    phase: 'exited',
    endedAt: T0 + 1_000,
    status: { code: 0, signal: null, oomKilled: false, memory: null, error: null },
  });
  const frame = frameOf(<StatusBar run={makeRun({ seq: 2 })} selected={past} stats={STATS} now={T0} />);
  assert.equal(frame, 'history #1 exit 0 · ran 1s · $ /bin/sh · default');
  const live = frameOf(<StatusBar run={makeRun({ seq: 2 })} selected={null} stats={STATS} now={T0} />);
  assert.equal(live.split('\n').length, 1);
  assert.match(live, /^#2 running · up 0s · .*…$/);
});
