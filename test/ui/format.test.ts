import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bar, formatBytes, formatDuration, panelInnerWidth, sparkline, timeSlices, truncate, wrapLines } from '../../src/ui/format.js';

test('formatBytes uses binary units with one decimal', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(104857600), '100.0 MiB');
  assert.equal(formatBytes(64 * 1024 * 1024), '64.0 MiB');
  assert.equal(formatBytes(2 * 1024 ** 3), '2.0 GiB');
  // Just under 1 MiB rounds up into the next unit, not to "1024.0 KiB".
  assert.equal(formatBytes(1024 * 1024 - 10), '1.0 MiB');
});

test('formatDuration shows the two largest units', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(42_900), '42s');
  assert.equal(formatDuration(65_000), '1m 05s');
  assert.equal(formatDuration(3_700_000), '1h 01m');
  assert.equal(formatDuration(-5), '0s');
});

test('truncate ends a cut string with an ellipsis', () => {
  assert.equal(truncate('/bin/sh', 10), '/bin/sh');
  assert.equal(truncate('/bin/sh -c sleep', 8), '/bin/sh…');
  assert.equal(truncate('abc', 3), 'abc');
  assert.equal(truncate('abc', 0), '');
});

test('wrapLines wraps at words and marks text left over', () => {
  assert.deepEqual(wrapLines('no such file or directory', 10, 3), ['no such', 'file or', 'directory']);
  assert.deepEqual(wrapLines('no such file or directory', 10, 2), ['no such', 'file or…']);
  assert.deepEqual(wrapLines('abcdefghij', 4, 5), ['abcd', 'efgh', 'ij']);
});

test('wrapLines marks text left over even when the last line kept fills the width', () => {
  // The lab band once showed a line exactly as wide as the panel, cut with no sign of it.
  assert.deepEqual(wrapLines('abcd efgh ijkl', 9, 1), ['abcd efg…']);
  assert.deepEqual(wrapLines('abcd efgh ijkl', 10, 1), ['abcd efgh…']);
});

test('bar fills in proportion and clamps', () => {
  assert.equal(bar(0.6, 10), '██████░░░░');
  assert.equal(bar(0, 4), '░░░░');
  assert.equal(bar(2, 4), '████');
  assert.equal(bar(Number.NaN, 3), '░░░');
});

test('sparkline scales values to the maximum', () => {
  assert.equal(sparkline([0, 100], 100), '▁█');
  assert.equal(sparkline([0, 50, 100], 100), '▁▅█');
  assert.equal(sparkline([200], 100), '█');
  assert.equal(sparkline([1, 2], 0), '▁▁');
  assert.equal(sparkline([], 10), '');
  assert.equal(sparkline([null, null, 0, 100], 100), '  ▁█', 'a blank where nothing was measured');
});

test('timeSlices: the highest value in each slice of the window, values holding until the next sample', () => {
  const at = (s: number, value: number) => ({ at: s * 1000, value });
  // A 10 s window up to 20 s, in five slices of 2 s: [10,12] (12,14] (14,16] (16,18] (18,20].
  assert.deepEqual(timeSlices([], 20_000, 5, 10_000), [null, null, null, null, null]);
  assert.deepEqual(timeSlices([at(15, 7)], 20_000, 5, 10_000), [null, null, 7, 7, 7], 'nothing before the first sample');
  assert.deepEqual(timeSlices([at(1, 3), at(17, 5)], 20_000, 5, 10_000), [3, 3, 3, 5, 5], 'a sample before the window holds into it');
  assert.deepEqual(timeSlices([at(1, 3), at(12.5, 9), at(13, 1)], 20_000, 5, 10_000), [3, 9, 1, 1, 1], 'a short peak keeps its slice');
  assert.deepEqual(timeSlices([at(1, 3)], 21_000, 5, 10_000), [3, 3, 3, 3, 3]);
});

test('panelInnerWidth leaves room for the border and padding', () => {
  assert.equal(panelInnerWidth(30), 26);
  assert.equal(panelInnerWidth(2), 1);
});
