import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabPanel } from '../../src/ui/components/LabPanel.js';
import { SidePanels } from '../../src/ui/components/SidePanels.js';
import type { LabView } from '../../src/ui/types.js';
import { frameOf, makeRun, T0 } from './fixtures.js';

const LAB: LabView = {
  title: 'PID namespace',
  step: 0,
  steps: 3,
  stepTitle: 'The shell is PID 1',
  text: "$$ is the shell's own process ID. In a fresh PID namespace the first process gets number 1.",
  command: 'echo "my PID is $$"',
  views: ['inside: PID 1 — on the host: PID 48213'],
  passed: false,
  waiting: 'a line "my PID is 1" in the output',
  complete: false,
};

test("a step: where it is, its text, the command, the host's view and what the check waits for", () => {
  const frame = frameOf(<LabPanel lab={LAB} width={34} height={16} />);
  assert.match(frame, /Lab · step 1\/3 …/);
  assert.match(frame, /The shell is PID 1/);
  assert.match(frame, /\$\$ is the shell's own/);
  assert.match(frame, /\$ echo "my PID is \$\$"/);
  assert.match(frame, /inside: PID 1 — on the host:/);
  assert.match(frame, /PID 48213/);
  assert.match(frame, /… waiting for a line "my PID/);
  assert.equal(frame.split('\n').length, 16);
});

test('a passed step shows its check mark and how to go on', () => {
  const frame = frameOf(<LabPanel lab={{ ...LAB, passed: true, waiting: '' }} width={34} height={16} />);
  assert.match(frame, /Lab · step 1\/3 ✓/);
  assert.match(frame, /✓ done: Ctrl-\] \] next step/);
});

test('a short panel cuts the text, never the command, the views or the check', () => {
  const frame = frameOf(<LabPanel lab={LAB} width={34} height={10} />);
  assert.equal(frame.split('\n').length, 10);
  assert.match(frame, /Lab · step 1\/3/);
  assert.match(frame, /own process… /, 'the text cut with an ellipsis');
  assert.match(frame, /\$ echo/);
  assert.match(frame, /PID 48213/);
  assert.match(frame, /waiting for/);
});

/** The side column, 34 wide and `height` high, beside LAB's first step. */
const labColumn = (height: number) =>
  frameOf(
    <SidePanels
      run={makeRun()}
      runs={[makeRun()]}
      selectedHistory={null}
      stats={null}
      memorySamples={[]}
      hostHostname="h"
      lab={LAB}
      now={T0}
      width={34}
      height={height}
    />,
  );

test("the side column shows the lab panel in the history's place, to the bottom", () => {
  const frame = labColumn(50);
  assert.match(frame, /Lab · step 1\/3/);
  assert.doesNotMatch(frame, /History/);
  assert.equal(frame.split('\n').length, 50);
});

test('beside a lab the network panel shows only where the lab keeps room for its text', () => {
  const tall = labColumn(50);
  assert.match(tall, /Network/);
  assert.ok(tall.indexOf('Network') < tall.indexOf('Lab · step'), 'above the lab, under the panels always shown');
  const short = labColumn(40);
  assert.doesNotMatch(short, /Network/);
  assert.match(short, /Lab · step 1\/3/);
});

test('a very short panel keeps where it is and the check, and drops the rest', () => {
  const frame = frameOf(<LabPanel lab={LAB} width={34} height={6} />);
  assert.equal(frame.split('\n').length, 6);
  assert.match(frame, /Lab · step 1\/3/);
  assert.match(frame, /The shell is PID 1/);
  assert.match(frame, /… waiting for a line/);
});

test('the last step, once passed, says ] finishes the lab; after it, that the lab is complete', () => {
  const last = { ...LAB, step: 2, passed: true, waiting: '' };
  assert.match(frameOf(<LabPanel lab={last} width={34} height={16} />), /✓ done: Ctrl-\] \] finishes the/);
  const complete = frameOf(<LabPanel lab={{ ...last, complete: true }} width={34} height={16} />);
  assert.match(complete, /✓ lab complete: all 3 steps/);
  assert.match(complete, /Ctrl-\] L leaves it/);
});

test('squeezed, nothing is cut without a sign: the host\'s view and the explanation end in "…"', () => {
  const frame = frameOf(<LabPanel lab={{ ...LAB, command: 'echo "inside I am $$" && cat /proc/1/comm' }} width={34} height={8} />);
  const lines = frame.split('\n');
  assert.equal(lines.length, 8);
  assert.ok(
    lines.some((line) => /\$\$ is the shell's own.*…/.test(line)),
    `the text keeps a line, marked as cut:\n${frame}`,
  );
  assert.ok(!lines.some((line) => /on the host: +│/.test(line)), `a view line cut without a sign:\n${frame}`);
});
