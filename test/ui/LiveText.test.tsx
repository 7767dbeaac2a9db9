/** Live lines: the pane painter draws them between Ink's frames exactly where, and as, Ink does. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { render } from 'ink-testing-library';
import { LiveLinesContext } from '../../src/ui/components/LiveText.js';
import { LatestStatsContext, type StatsNow } from '../../src/ui/components/statsNow.js';
import { initialPicker } from '../../src/ui/picker.js';
import { initialState, sameFrame } from '../../src/ui/state.js';
import { SidePanels } from '../../src/ui/components/SidePanels.js';
import { LiveLines } from '../../src/ui/services/liveLines.js';
import { liveLineSequence } from '../../src/ui/services/panePainter.js';
import type { LiveStats } from '../../src/ui/types.js';
import { BRIDGE_NETWORK, makeRun, T0 } from './fixtures.js';

const MiB = 1024 * 1024;
const stats: LiveStats = {
  memory: { current: 40 * MiB, peak: 50 * MiB, limit: 100 * MiB, oomKills: 0 },
  pids: { current: 2, limit: 1024 },
  hostname: 'box',
  network: BRIDGE_NETWORK,
  at: T0 + 30_000,
};

/** What a painter sequence leaves on screen at its place: ECH blanks, the rest is text. */
const shownBy = (sequence: string): string => stripVTControlCharacters(sequence.replace(/\x1b\[(\d+)X/g, (_, n: string) => ' '.repeat(Number(n))));

test('the uptime, the figures and the sparkline are live lines, painted where Ink draws them, as Ink draws them', () => {
  const lines = new LiveLines();
  const now = T0 + 42_000;
  const samples = [
    { at: T0 + 1000, value: 20 * MiB },
    { at: T0 + 30_000, value: 40 * MiB },
  ];
  const panels = (at: number) => (
    <LiveLinesContext.Provider value={lines}>
      <SidePanels
        run={makeRun()}
        runs={[makeRun()]}
        selectedHistory={null}
        stats={stats}
        memorySamples={samples}
        hostHostname="h"
        now={at}
        width={34}
        height={40}
      />
    </LiveLinesContext.Provider>
  );
  const { lastFrame, rerender, unmount } = render(panels(now));
  const frame = stripVTControlCharacters(lastFrame() ?? '').split('\n');
  const live = [...lines];
  assert.equal(live.length, 7, "the container's state line, memory's four lines of figures and its sparkline, the processes");
  const painted = live.map((line) => {
    const at = line.position();
    assert.ok(at);
    assert.equal(at.width, 30, "the panel's inside");
    const text = shownBy(liveLineSequence(line.runs(now), at));
    assert.equal(text, frame[at.row - 1]!.padEnd(34).slice(at.col - 1, at.col - 1 + at.width), `row ${at.row}`);
    return { row: at.row, text };
  });
  assert.deepEqual(
    painted.map((line) => line.row),
    [4, 16, 17, 18, 19, 20, 24],
  );
  assert.match(painted[0]!.text, /^running · up 42s +$/);
  assert.match(painted[2]!.text, /^40\.0 MiB \/ 100\.0 MiB +$/);
  assert.match(painted[5]!.text, /^ {9}▂{14}▄{7}$/, 'blank before the run, then each 2 s slice of the minute');
  assert.match(painted[6]!.text, /^processes: 2 \/ 1024 +$/);
  // Two seconds on, with no new render: the painter's text moves on.
  assert.match(shownBy(liveLineSequence(live[0]!.runs(now + 2000), live[0]!.position()!)), /up 44s/);
  rerender(panels(now + 1000));
  assert.equal([...lines].length, 7, 'a render keeps one entry per line');
  unmount();
  assert.equal([...lines].length, 0, 'gone with their components');
});

test('with the latest figures at hand, a poll that changes figures only is painted line by line, with no new frame', () => {
  const lines = new LiveLines();
  let latest: StatsNow = { stats, memorySamples: [{ at: T0 + 1000, value: 40 * MiB }] };
  const { lastFrame, unmount } = render(
    <LiveLinesContext.Provider value={lines}>
      <LatestStatsContext.Provider value={() => latest}>
        <SidePanels
          run={makeRun()}
          runs={[makeRun()]}
          selectedHistory={null}
          stats={latest.stats}
          memorySamples={latest.memorySamples}
          hostHostname="h"
          now={T0 + 42_000}
          width={34}
          height={40}
        />
      </LatestStatsContext.Provider>
    </LiveLinesContext.Provider>,
  );
  const frame = lastFrame();
  latest = {
    stats: { ...stats, memory: { ...stats.memory!, current: 60 * MiB, oomKills: 1 }, pids: { current: 7, limit: 1024 } },
    memorySamples: [...latest.memorySamples, { at: T0 + 41_000, value: 60 * MiB }],
  };
  const painted = [...lines].map((line) => shownBy(liveLineSequence(line.runs(T0 + 42_000), line.position()!)));
  assert.ok(painted.some((text) => /^60\.0 MiB \/ 100\.0 MiB/.test(text)));
  assert.ok(painted.some((text) => /^OOM kills: 1/.test(text)));
  assert.ok(painted.some((text) => /^processes: 7 \/ 1024/.test(text)));
  assert.equal(lastFrame(), frame, 'no render: the frame is as it was');
  unmount();
});

test('a state that differs in figures only is the same frame; one that changes what the panels lay out is not', () => {
  const state = { ...initialState(initialPicker({ rootfsChoices: [], commandHistory: [] }), 'run'), stats, memorySamples: [{ at: T0, value: 1 }] };
  const polled = { ...state, stats: { ...stats, memory: { ...stats.memory!, current: 41 * MiB } }, memorySamples: [{ at: T0, value: 2 }] };
  assert.ok(sameFrame(state, polled));
  assert.ok(!sameFrame(state, { ...polled, stats: { ...polled.stats, hostname: 'lab1' } }), 'the hostname is drawn by Ink');
  assert.ok(!sameFrame(state, { ...polled, stats: { ...polled.stats, memory: null } }), 'no memory cgroup: other lines');
  assert.ok(!sameFrame(state, { ...polled, memorySamples: [] }), 'no samples: other lines');
  assert.ok(!sameFrame(state, { ...polled, prefixArmed: true }), 'anything else');
});

test('a live line wider than its place is cut with "…", as Ink cuts it', () => {
  const at = { row: 3, col: 5, width: 6 };
  assert.equal(liveLineSequence([{ text: 'run', color: 'green' }, { text: 'ning' }], at), '\x1b[3;5H\x1b[0;32mrun\x1b[0mni…\x1b[0m');
  assert.equal(liveLineSequence([{ text: 'ok', color: 'gray', bold: true }], at), '\x1b[3;5H\x1b[0;1;90mok\x1b[0m\x1b[4X');
});
