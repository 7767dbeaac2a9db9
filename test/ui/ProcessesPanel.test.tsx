import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessesPanel } from '../../src/ui/components/ProcessesPanel.js';
import { frameOf } from './fixtures.js';

test('shows processes against the pids limit', () => {
  const frame = frameOf(<ProcessesPanel pids={{ current: 3, limit: 1024 }} ended={false} width={30} />);
  assert.match(frame, /Processes/);
  assert.match(frame, /processes: 3 \/ 1024/);
});

test('no pids limit', () => {
  assert.match(frameOf(<ProcessesPanel pids={{ current: 1, limit: null }} ended={false} width={30} />), /processes: 1 \/ no limit/);
});

test('no reading', () => {
  assert.match(frameOf(<ProcessesPanel pids={null} ended={false} width={30} />), /processes: —/);
});

test('once the run has ended, its last poll is not shown as a count', () => {
  const frame = frameOf(<ProcessesPanel pids={{ current: 1, limit: 1024 }} ended width={30} />);
  assert.match(frame, /processes: none, ended/);
  assert.doesNotMatch(frame, /1 \/ 1024/);
});
