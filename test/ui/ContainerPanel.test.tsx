import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerPanel } from '../../src/ui/components/ContainerPanel.js';
import { T0, frameOf, makeRun } from './fixtures.js';

test('a running container shows its id, state, PIDs, uptime and command', () => {
  const frame = frameOf(<ContainerPanel run={makeRun()} now={T0 + 65_000} width={40} />);
  assert.match(frame, /^╭/, 'a rounded border');
  assert.match(frame, /Container/);
  assert.match(frame, /id a1b2c3d4/);
  assert.match(frame, /running · up 1m 05s/);
  assert.match(frame, /PID 1 inside · host PID 4242/);
  assert.match(frame, /\$ \/bin\/sh/);
});

test('a run from an image shows the command its config made, the user and directory it runs as and in, and the image', () => {
  const started = { command: ['/bin/sh', '-c', 'echo hi'], user: 'app', workdir: '/srv/app', image: 'alpine:3' };
  const frame = frameOf(
    <ContainerPanel run={makeRun({ options: { rootfs: 'alpine:3', command: [], memory: '100m', hostname: '' }, started })} now={T0} width={50} />,
  );
  assert.match(frame, /\$ \/bin\/sh -c 'echo hi'/);
  assert.match(frame, /image alpine:3 · as app in \/srv\/app/);
  const onDirectory = frameOf(
    <ContainerPanel run={makeRun({ started: { command: ['/bin/sh'], user: null, workdir: null, image: null } })} now={T0} width={50} />,
  );
  assert.match(onDirectory, /│ as root in \/ +│/);
});

test('an exited container counts uptime up to its end', () => {
  const run = makeRun({ phase: 'exited', endedAt: T0 + 5_000, status: { code: 0, signal: null, oomKilled: false, memory: null, error: null } });
  const frame = frameOf(<ContainerPanel run={run} now={T0 + 3_600_000} width={40} />);
  assert.match(frame, /exited · ran 5s/, 'how long it ran, not a live-looking uptime');
});

test('a starting container has no id or host PID yet', () => {
  const frame = frameOf(<ContainerPanel run={makeRun({ phase: 'starting', id: null, hostPid: null })} now={T0} width={40} />);
  assert.match(frame, /id —/);
  assert.match(frame, /starting · up 0s/);
  assert.match(frame, /host PID —/);
});

test('a long command is cut to the panel width', () => {
  const command = ['/bin/sh', '-c', 'while true; do echo hello from inside the container; sleep 1; done'];
  const frame = frameOf(<ContainerPanel run={makeRun({ options: { rootfs: 'default', command, memory: '0', hostname: '' } })} now={T0} width={30} />);
  const line = frame.split('\n').find((l) => l.includes('$ /bin/sh'));
  assert.ok(line, frame);
  assert.match(line, /…/);
  for (const l of frame.split('\n')) assert.ok(l.length <= 30, `line wider than the panel: ${l}`);
});

test('a narrow panel keeps the whole host PID', () => {
  const frame = frameOf(<ContainerPanel run={makeRun({ hostPid: 48213 })} now={T0} width={30} />);
  assert.match(frame, /PID 1 · host PID 48213/);
});

test('no run yet', () => {
  assert.match(frameOf(<ContainerPanel run={null} now={T0} width={40} />), /no container yet/);
});

test('asked to stop, it says so and counts down to SIGKILL', () => {
  const frame = frameOf(<ContainerPanel run={makeRun({ killAt: T0 + 10_000 })} now={T0 + 2_500} width={34} />);
  assert.match(frame, /stopping · SIGKILL in 8s/);
});
