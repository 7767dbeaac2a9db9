/** The emulator's screen as Ink runs, and the terminal session around it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import xterm from '@xterm/headless';
import { snapshotScreen } from '../../src/ui/services/screen.js';
import { SCROLLBACK_LINES, TerminalSession, toApplicationCursorKeys } from '../../src/ui/services/terminalSession.js';
import { fakePaneProcess } from './fixtures.js';

function emulate(data: string, cols = 20, rows = 3): Promise<xterm.Terminal> {
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true });
  return new Promise((resolve) => term.write(data, () => resolve(term)));
}

const text = (runs: { text: string }[]): string => runs.map((r) => r.text).join('');

describe('screen snapshot', () => {
  it('merges equal attributes into runs and keeps colours', async () => {
    const term = await emulate('\x1b[31;1mred\x1b[0m plain \x1b[38;2;1;2;3mrgb\x1b[0m');
    const [line] = snapshotScreen(term, false).lines;
    assert.deepEqual(line.runs, [{ text: 'red', color: 'ansi256(1)', bold: true }, { text: ' plain ' }, { text: 'rgb', color: '#010203' }]);
  });

  it('gives a wide character two columns and no extra space', async () => {
    const term = await emulate('a世界b');
    assert.equal(text(snapshotScreen(term, false).lines[0].runs), 'a世界b');
  });

  it('draws the cursor as an inverted cell only while it is visible', async () => {
    const term = await emulate('ab');
    const visible = snapshotScreen(term, true);
    assert.deepEqual(visible.lines[0].runs, [{ text: 'ab' }, { text: ' ', inverse: true }]);
    assert.deepEqual(snapshotScreen(term, false).lines[0].runs, [{ text: 'ab' }]);
  });

  it('shows the alternate screen while a program uses it', async () => {
    const term = await emulate('main\x1b[?1049h\x1b[Hfull-screen');
    assert.equal(text(snapshotScreen(term, false).lines[0].runs), 'full-screen');
    await new Promise<void>((resolve) => term.write('\x1b[?1049l', resolve));
    assert.equal(text(snapshotScreen(term, false).lines[0].runs), 'main');
  });
});

describe('terminal session', () => {
  it('sends arrows in application cursor mode once the program asks for it', async () => {
    assert.equal(toApplicationCursorKeys('\x1b[A\x1b[Dx'), '\x1bOA\x1bODx');
    const session = new TerminalSession(20, 5);
    const container = fakePaneProcess();
    session.attach(container);
    session.sendKeys('\x1b[A');
    container.emit('\x1b[?1h');
    await session.flush();
    session.sendKeys('\x1b[A');
    assert.deepEqual(container.written, ['\x1b[A', '\x1bOA']);
    session.dispose();
  });

  it('answers terminal queries back to the program', async () => {
    const session = new TerminalSession(20, 5);
    const container = fakePaneProcess();
    session.attach(container);
    container.emit('\x1b[6n'); // where is the cursor?
    await session.flush();
    assert.deepEqual(container.written, ['\x1b[1;1R']);
    session.dispose();
  });

  it('sizes the pty with the emulator and follows the hidden cursor', async () => {
    const session = new TerminalSession(20, 5);
    const container = fakePaneProcess();
    session.attach(container);
    session.resize(30, 8);
    assert.deepEqual(container.sizes, [
      [20, 5],
      [30, 8],
    ]);
    container.emit('x\x1b[?25l');
    await session.flush();
    assert.equal(session.snapshot().cursor.visible, false);
    assert.equal(session.snapshot().lines.length, 8);
    session.dispose();
  });

  it('jump-scrolls a flood only from a clean start: not from inside an escape sequence cut by a read', async () => {
    // A flood: more lines than three screens and histories (jumpScroll.ts).
    const lines = Array.from({ length: 3 * (5 + SCROLLBACK_LINES) + 10 }, (_, i) => `line ${i}\r\n`).join('');
    const session = new TerminalSession(20, 5);
    const container = fakePaneProcess();
    session.attach(container);
    container.emit('before \x1b[3'); // a colour cut in two by the pty read
    await session.flush();
    container.emit(`1mred ${lines}tail`);
    await session.flush();
    const expected = await emulate(`before \x1b[31mred ${lines}tail`, 20, 5);
    assert.deepEqual(session.snapshot().lines, snapshotScreen(expected, true).lines);
    // From a clean start the same flood is cut short (this reads xterm's private state: an upgrade may rename it).
    const parsed: string[] = [];
    const term = (session as unknown as { term: xterm.Terminal }).term;
    const write = term.write.bind(term);
    term.write = (data: string | Uint8Array, callback?: () => void) => (parsed.push(String(data)), write(data, callback));
    container.emit(lines);
    await session.flush();
    assert.ok(parsed.join('').length < lines.length / 2, 'jump scrolling dropped lines');
    session.dispose();
  });

  it('cuts a flood of plain lines short as it comes in: output never piles up to pause the program', async () => {
    const lines = (from: number, count: number) => Array.from({ length: count }, (_, i) => `line ${from + i}\r\n`).join('');
    const session = new TerminalSession(20, 5);
    const container = fakePaneProcess();
    session.attach(container);
    container.emit(lines(0, 3 * (5 + SCROLLBACK_LINES) + 10)); // a first batch that jump scrolling cuts short: a flood
    await session.flush();
    // 16 MiB in 64 KiB reads, all before the next batch is due: far beyond what may wait unparsed.
    const read = lines(100, 5000).slice(0, 64 * 1024);
    for (let i = 0; i < 256; i++) container.emit(read);
    container.emit('last line');
    assert.equal(container.pauses, 0, 'the program was never paused');
    await session.flush();
    const expected = await emulate(`${read.slice(-200)}last line`, 20, 5);
    assert.deepEqual(session.snapshot().lines, snapshotScreen(expected, true).lines);
    session.dispose();
  });
});
