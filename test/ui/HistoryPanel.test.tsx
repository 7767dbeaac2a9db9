import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HistoryPanel } from '../../src/ui/components/HistoryPanel.js';
import type { RunRecord } from '../../src/ui/types.js';
import type { ExitStatus } from '../../src/runtime/container.js';
import { frameOf } from './fixtures.js';

function makeRun(seq: number, command: string[], status: Partial<ExitStatus> | null): RunRecord {
  return {
    seq,
    options: { rootfs: 'default', command, memory: '100m', hostname: '' },
    phase: status ? 'exited' : 'running',
    id: `c${seq}`,
    hostPid: 1000 + seq,
    startedAt: seq * 1000,
    endedAt: status ? seq * 1000 + 500 : null,
    status: status ? { code: 0, signal: null, oomKilled: false, memory: null, error: null, ...status } : null,
    killAt: null,
    started: null,
  };
}

const runs = [
  makeRun(1, ['/bin/sh'], { code: 0 }),
  makeRun(2, ['/bin/stress', '--vm', '1'], { code: 137, signal: 'SIGKILL', oomKilled: true }),
  makeRun(3, ['/bin/false'], { code: 1 }),
  makeRun(4, ['/bin/sh', '-c', 'sleep 100'], null),
];

const rowsOf = (frame: string): string[] => frame.split('\n').filter((line) => /#\d/.test(line));

test('newest first, one line per run, with the outcome', () => {
  const rows = rowsOf(frameOf(<HistoryPanel runs={runs} selected={null} maxRows={10} width={40} />));
  assert.equal(rows.length, 4);
  assert.match(rows[0]!, /#4 … {2}\/bin\/sh -c 'sleep 100'/, 'quoted as a shell would read it');
  assert.match(rows[1]!, /#3 ✗ 1 {2}\/bin\/false/);
  assert.match(rows[2]!, /#2 ✗ 137 OOM {2}\/bin\/stress --vm 1/);
  assert.match(rows[3]!, /#1 ✓ 0 {2}\/bin\/sh/);
});

test('only the last maxRows runs are shown', () => {
  const frame = frameOf(<HistoryPanel runs={runs} selected={null} maxRows={2} width={40} />);
  const rows = rowsOf(frame);
  assert.equal(rows.length, 2);
  assert.match(rows[0]!, /#4/);
  assert.match(rows[1]!, /#3/);
  assert.match(frame, /History/);
});

test('the selected row is pointed at, and kept in view when older than the window', () => {
  const rows = rowsOf(frameOf(<HistoryPanel runs={runs} selected={0} maxRows={2} width={40} />));
  assert.equal(rows.length, 2);
  assert.match(rows[0]!, /^│ {3}#2/);
  assert.match(rows[1]!, /^│ › #1 ✓ 0/);
});

test('long commands are cut to the panel', () => {
  const long = [makeRun(1, ['/bin/sh', '-c', 'echo a very long command line that cannot fit'], { code: 0 })];
  const [row] = rowsOf(frameOf(<HistoryPanel runs={long} selected={null} maxRows={3} width={30} />));
  assert.ok(row);
  assert.match(row, /…/);
  assert.ok(row.length <= 30, row);
});

test('no runs yet', () => {
  assert.match(frameOf(<HistoryPanel runs={[]} selected={null} maxRows={3} width={30} />), /no runs yet/);
});

test('the selected run shows what the history remembers of it: how long it ran, its peak memory, its rootfs', () => {
  const peaked = [
    ...runs.slice(0, 1),
    { ...runs[1]!, status: { ...runs[1]!.status!, memory: { current: 0, peak: 50 * 1024 * 1024, limit: null, oomKills: 1 } } },
  ];
  const frame = frameOf(<HistoryPanel runs={peaked} selected={1} maxRows={4} width={40} />);
  const lines = frame.split('\n').map((line) => line.replace(/^│ | *│$/g, ''));
  const at = lines.findIndex((line) => line.includes('#2'));
  assert.deepEqual(
    lines.slice(at + 1, at + 3).map((line) => line.trim()),
    ['ran 0s · peak 50.0 MiB', 'on default'],
  );
  assert.ok(
    lines.some((line) => line.includes('#1')),
    'the other runs keep their lines',
  );
  // No room for the details: the selection stays on its line alone.
  assert.doesNotMatch(frameOf(<HistoryPanel runs={peaked} selected={1} maxRows={2} width={40} />), /on default/);
});
