import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitPanel } from '../../src/ui/components/ExitPanel.js';
import type { RunRecord } from '../../src/ui/types.js';
import type { ExitStatus } from '../../src/runtime/container.js';
import { T0, frameOf, makeRun } from './fixtures.js';

function exitedRun(status: Partial<ExitStatus>, ranMs = 65_000): RunRecord {
  return makeRun({
    phase: 'exited',
    endedAt: T0 + ranMs,
    status: { code: 0, signal: null, oomKilled: false, memory: null, error: null, ...status },
  });
}

test('an OOM kill shows the code, the signal, OOM-killed and the duration', () => {
  const frame = frameOf(<ExitPanel run={exitedRun({ code: 137, signal: 'SIGKILL', oomKilled: true })} width={40} />);
  assert.match(frame, /Exit/);
  assert.match(frame, /exit code 137 \(SIGKILL\)/);
  assert.match(frame, /OOM-killed/);
  assert.match(frame, /ran 1m 05s/);
  // The peak comes after OOM-killed, which a narrow panel must not cut.
  const narrow = frameOf(
    <ExitPanel
      run={exitedRun({ code: 137, signal: 'SIGKILL', oomKilled: true, memory: { peak: 32 * 1024 * 1024, limit: null, oomKills: 1 } }, 500)}
      width={32}
    />,
  );
  assert.match(narrow, /ran 0s · OOM-killed · peak/);
});

test('the peak memory of the whole run, read when it ended', () => {
  const frame = frameOf(<ExitPanel run={exitedRun({ code: 0, memory: { peak: 33 * 1024 * 1024, limit: null, oomKills: 0 } }, 5)} width={40} />);
  assert.match(frame, /ran 0s · peak 33\.0 MiB/);
});

test('a clean exit has no signal and no OOM', () => {
  const frame = frameOf(<ExitPanel run={exitedRun({ code: 0 })} width={40} />);
  assert.match(frame, /exit code 0/);
  assert.doesNotMatch(frame, /SIG|OOM/);
});

test('a runtime error is wrapped onto two lines at most', () => {
  const error = 'exec /bin/nope failed: no such file or directory in the container rootfs at all';
  const run = exitedRun({ code: 127, error });
  const frame = frameOf(<ExitPanel run={run} width={30} />);
  assert.match(frame, /exit code 127/);
  assert.match(frame, /exec \/bin\/nope failed: no/);
  assert.match(frame, /such file or directory in…/);
  // Compact drops the error lines but keeps the code.
  const compact = frameOf(<ExitPanel run={run} width={30} compact />);
  assert.match(compact, /exit code 127/);
  assert.doesNotMatch(compact, /nope/);
  assert.ok(compact.split('\n').length < frame.split('\n').length);
});

test('running, and no run', () => {
  const running: RunRecord = { ...exitedRun({}), phase: 'running', endedAt: null, status: null };
  assert.match(frameOf(<ExitPanel run={running} width={30} />), /running…/);
  assert.match(frameOf(<ExitPanel run={null} width={30} />), /│ —/);
});
