/** The pane's history: the emulator keeps what scrolls off, and the view moves through it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate } from 'node:timers/promises';
import xterm from '@xterm/headless';
import { snapshotScreen } from '../../src/ui/services/screen.js';
import { SCROLLBACK_LINES, TerminalSession } from '../../src/ui/services/terminalSession.js';
import { fakePaneProcess } from './fixtures.js';

const text = (session: TerminalSession) => session.snapshot().lines.map((line) => line.runs.map((run) => run.text).join(''));

describe('scrollback', () => {
  it('keeps what scrolled off, even in a flood that jump scrolling cuts short, and scrolls the view through it', async () => {
    const session = new TerminalSession(20, 5);
    try {
      const container = fakePaneProcess();
      session.attach(container);
      // Far more than a screen and its history, in one read: the pane drops what no one can scroll back to.
      const count = SCROLLBACK_LINES * 3;
      container.emit(Array.from({ length: count }, (_, i) => `line ${i + 1}\r\n`).join(''));
      await session.flush();
      assert.equal(text(session)[3], `line ${count}`);
      assert.equal(session.scroll(-Number.MAX_SAFE_INTEGER), SCROLLBACK_LINES);
      // The oldest kept line is exactly the one a terminal with this history would keep.
      assert.equal(text(session)[0], `line ${count - SCROLLBACK_LINES - 3}`);
      assert.equal(session.scroll(SCROLLBACK_LINES - 4), 4);
      assert.deepEqual(text(session), [`line ${count - 7}`, `line ${count - 6}`, `line ${count - 5}`, `line ${count - 4}`, `line ${count - 3}`]);
      assert.equal(session.snapshot().cursor.visible, false, 'no cursor drawn in the history');
      // Output goes on: the view stays where it was.
      container.emit('more\r\n');
      await session.flush();
      assert.equal(text(session)[0], `line ${count - 7}`);
      assert.equal(session.scroll(Number.MAX_SAFE_INTEGER), 0);
      assert.equal(text(session)[3], 'more');
    } finally {
      session.dispose();
    }
  });

  it("in a flood, shows each batch's last screenful at once, and the history it pushes out is what a terminal keeps once the flood stops", async () => {
    const session = new TerminalSession(20, 5);
    try {
      const container = fakePaneProcess();
      session.attach(container);
      const lines = (from: number, count: number) => Array.from({ length: count }, (_, i) => `line ${from + i}\r\n`).join('');
      const changed = () =>
        new Promise<void>((resolve) => {
          const off = session.onChange(() => (off(), resolve()));
        });
      const shown = changed();
      container.emit(lines(1, 2 * SCROLLBACK_LINES));
      await shown;
      assert.equal(text(session)[3], `line ${2 * SCROLLBACK_LINES}`, "the batch's last lines on screen");
      container.emit(lines(2 * SCROLLBACK_LINES + 1, 2 * SCROLLBACK_LINES));
      await session.flush(); // the flood has stopped: its screen is shown at once, its history parsed once it is looked at
      const last = 4 * SCROLLBACK_LINES;
      assert.equal(text(session)[3], `line ${last}`);
      assert.equal(session.scroll(-Number.MAX_SAFE_INTEGER), SCROLLBACK_LINES);
      assert.equal(text(session)[0], `line ${last - SCROLLBACK_LINES - 3}`, 'the history is what a terminal would keep');
    } finally {
      session.dispose();
    }
  });

  it('in a flood cut short again and again, a sequence between the lines still takes effect: the screen is what a terminal shows', async () => {
    const session = new TerminalSession(20, 5);
    const reference = new xterm.Terminal({ cols: 20, rows: 5, allowProposedApi: true, scrollback: SCROLLBACK_LINES });
    try {
      const container = fakePaneProcess();
      session.attach(container);
      const lines = (from: number, count: number) => Array.from({ length: count }, (_, i) => `line ${from + i}\r\n`).join('');
      const all: string[] = [];
      const send = (chunk: string) => (all.push(chunk), container.emit(chunk));
      const shown = new Promise<void>((resolve) => {
        const off = session.onChange(() => (off(), resolve()));
      });
      send(lines(1, 2 * SCROLLBACK_LINES));
      await shown; // a flood, as far as the pane can tell: what comes next is cut as it is read
      let next = 2 * SCROLLBACK_LINES + 1;
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 60; i++, next += 500) send(lines(next, 500)); // reads of some 6 KiB, far past the cut's threshold
        send(round === 1 ? 'red from here \x1b[31m' : 'plain '); // a read that ends the plain lines: kept, never called plain
      }
      send(lines(next, 3));
      await session.flush();
      await new Promise<void>((resolve) => reference.write(all.join(''), resolve));
      assert.deepEqual(session.snapshot().lines, snapshotScreen(reference, true).lines);
      assert.ok(
        session.snapshot().lines.every((line) => line.runs.every((run) => run.text.trim() === '' || run.color !== undefined)),
        'the lines after the sequence are red',
      );
    } finally {
      session.dispose();
      reference.dispose();
    }
  });

  it("finds a line in the history, older or newer, and puts it at the view's top", async () => {
    const session = new TerminalSession(20, 5);
    try {
      const container = fakePaneProcess();
      session.attach(container);
      container.emit(Array.from({ length: 100 }, (_, i) => (i === 30 || i === 60 ? `needle ${i}\r\n` : `line ${i}\r\n`)).join(''));
      await session.flush();
      const back = session.find('needle', 'older');
      assert.equal(text(session)[0], 'needle 60');
      assert.ok(back !== null && back > 0);
      session.find('needle', 'older');
      assert.equal(text(session)[0], 'needle 30');
      session.find('needle', 'newer');
      assert.equal(text(session)[0], 'needle 60');
      assert.equal(session.find('haystack', 'older'), null);
      assert.equal(text(session)[0], 'needle 60', 'the view stays where it was');
      assert.equal(session.viewText(), ['needle 60', 'line 61', 'line 62', 'line 63', 'line 64'].join('\n'));
    } finally {
      session.dispose();
    }
  });
});

describe('a new run', () => {
  it("starts on a clean screen and history even while the last run's output is still being parsed", async () => {
    const session = new TerminalSession(40, 5);
    try {
      const first = fakePaneProcess();
      session.attach(first);
      // Coloured lines, which jump scrolling leaves whole: the emulator parses them over many turns of the event loop.
      first.emit(Array.from({ length: 20_000 }, (_, i) => `\x1b[3${i % 8}mold ${i}\x1b[0m\r\n`).join(''));
      // One turn of the timers: the batch is given to the emulator, which parses it at its own next turn.
      await new Promise((resolve) => setTimeout(resolve, 0));
      assert.ok(!text(session).some((line) => line.startsWith('old')), 'the new run comes before the old output is parsed');
      const second = fakePaneProcess();
      session.attach(second);
      second.emit('fresh\r\n');
      await session.flush();
      assert.deepEqual(
        text(session).map((line) => line.trimEnd()),
        ['fresh', '', '', '', ''],
      );
      assert.equal(session.scroll(-Number.MAX_SAFE_INTEGER), 0, 'no history from the run before');
    } finally {
      session.dispose();
    }
  });
});

describe('latency', () => {
  it("shows a key's echo and tells the listeners in the turn of the event loop that reads it, not after a timer", async () => {
    const session = new TerminalSession(20, 5);
    try {
      const container = fakePaneProcess();
      session.attach(container);
      await session.flush();
      await new Promise((resolve) => setTimeout(resolve, 100)); // a quiet spell: no frame is due soon
      let told = false;
      session.onChange(() => (told = true));
      container.emit('echo');
      // Two turns of the event loop's check phase, and no timer's: the feed's, then the frame's.
      await setImmediate();
      await setImmediate();
      assert.equal(text(session)[0]?.trimEnd(), 'echo');
      assert.ok(told, 'the listeners are told at once');
    } finally {
      session.dispose();
    }
  });
});
