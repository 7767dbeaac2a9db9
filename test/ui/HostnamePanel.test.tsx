import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostnamePanel } from '../../src/ui/components/HostnamePanel.js';
import { frameOf } from './fixtures.js';

test('shows the hostname inside the container and the host one', () => {
  const frame = frameOf(<HostnamePanel hostname="lab1" hostHostname="build-07" width={30} />);
  assert.match(frame, /Hostname/);
  assert.match(frame, /inside: lab1/);
  assert.match(frame, /host: {3}build-07/);
});

test('before the first poll the inside name is unknown', () => {
  const frame = frameOf(<HostnamePanel hostname={null} hostHostname="build-07" width={30} />);
  assert.match(frame, /inside: —/);
});
