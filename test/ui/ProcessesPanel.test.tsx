import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessesPanel } from '../../src/ui/components/ProcessesPanel.js';
import { frameOf } from './fixtures.js';

test('shows processes against the pids limit', () => {
  const frame = frameOf(<ProcessesPanel pids={{ current: 3, limit: 1024 }} width={30} />);
  assert.match(frame, /Processes/);
  assert.match(frame, /processes: 3 \/ 1024/);
});

test('no pids limit', () => {
  assert.match(frameOf(<ProcessesPanel pids={{ current: 1, limit: null }} width={30} />), /processes: 1 \/ no limit/);
});

test('no reading', () => {
  assert.match(frameOf(<ProcessesPanel pids={null} width={30} />), /processes: —/);
});
