/** The pane painter: the container's screen drawn at its place, and only what changed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { borderSequence, footerSequence, inkStdout, lineSequence, PanePainter, type PaneView } from '../../src/ui/services/panePainter.js';
import { TerminalSession } from '../../src/ui/services/terminalSession.js';
import { fakePaneProcess } from './fixtures.js';

/** A process attached to the session; returns what writes its output. */
function attachFake(session: TerminalSession): (data: string) => void {
  const fake = fakePaneProcess();
  session.attach(fake);
  return fake.emit;
}

/** A pane at column 35, 10 wide (8 inside), 5 high (3 inside). */
const VIEW: PaneView = {
  title: '#1 abc sh',
  focused: true,
  screen: null,
  top: 1,
  left: 35,
  width: 10,
  height: 5,
  footer: [{ text: 'r', style: 'key' }, { text: ' re-run' }],
  footerRow: 6,
  cols: 50,
};

describe('pane painter', () => {
  it('positions a line inside the border, with its colours, the rest of it blanked', () => {
    const line = { runs: [{ text: 'hi', color: 'ansi256(1)', bold: true }, { text: '世' }], columns: 4, key: 'k' };
    assert.equal(lineSequence(line, 0, VIEW), '\x1b[2;36H\x1b[0;1;38;5;1mhi\x1b[0m世\x1b[0m\x1b[4X');
    assert.equal(
      lineSequence({ runs: [{ text: 'x', backgroundColor: '#0a0b0c' }], columns: 1, key: 'k' }, 2, VIEW),
      '\x1b[4;36H\x1b[0;48;2;10;11;12mx\x1b[0m\x1b[7X',
    );
    assert.equal(lineSequence({ runs: [{ text: '12345678' }], columns: 8, key: 'k' }, 0, VIEW), '\x1b[2;36H\x1b[0m12345678\x1b[0m');
  });

  it('draws a border with the title, green while keys go to the container', () => {
    const plain = (s: string) => s.replace(/\x1b\[[0-9;]*[mH]/g, '|');
    const border = borderSequence(VIEW);
    assert.match(border, /^\x1b\[1;35H\x1b\[0;32m╭─ \x1b\[1m#1 …\x1b\[22m\x1b\[0;32m ─╮/, 'the title cut to fit');
    assert.match(plain(border), /╰────────╯\|$/);
    assert.equal((border.match(/│/g) ?? []).length, 2 * 3);
    assert.match(borderSequence({ ...VIEW, focused: false }), /\x1b\[0;90m╭/);
  });

  it('draws the footer across the terminal, cut to its width', () => {
    assert.equal(footerSequence(VIEW), '\x1b[6;1H\x1b[0;1;36mr\x1b[0m re-run\x1b[0m\x1b[K');
    assert.equal(footerSequence({ ...VIEW, cols: 4 }), '\x1b[6;1H\x1b[0;1;36mr\x1b[0m re\x1b[0m\x1b[K');
  });

  it('draws only the lines that changed, and nothing while the pane is hidden', async () => {
    const session = new TerminalSession(10, 3);
    const emit = attachFake(session);
    const written: string[] = [];
    let shown = true;
    const painter = new PanePainter(session, { write: (data) => written.push(data) }, () => (shown ? VIEW : null));
    assert.match(painter.afterInkFrame(Number.POSITIVE_INFINITY), /^\x1b7\x1b\[1;35H.*╯.*\x1b\[2;36H.*\x1b\[3;36H.*\x1b\[4;36H.*\x1b8$/s);
    emit('one');
    await session.flush();
    assert.equal(written.length, 1);
    assert.match(written[0], /\x1b\[2;36H.*one/);
    assert.doesNotMatch(written[0], /\x1b\[3;36H/, 'unchanged lines are not drawn again');
    assert.doesNotMatch(written[0], /╭/, 'nor is the border');
    assert.doesNotMatch(written[0], /re-run/, 'nor the footer');
    shown = false;
    emit('\r\ntwo');
    await session.flush();
    assert.equal(written.length, 1);
    assert.equal(painter.afterInkFrame(Number.POSITIVE_INFINITY), '');
    session.dispose();
  });

  it("cuts Ink's erasing to its column and repaints the footer right behind each frame", async () => {
    const session = new TerminalSession(8, 3);
    const painter = new PanePainter(session, { write: () => true }, () => VIEW);
    painter.afterInkFrame(Number.POSITIVE_INFINITY); // all of the pane is on screen
    const chunks: string[] = [];
    const stdout = { write: (data: string) => chunks.push(data), columns: 80 } as unknown as NodeJS.WriteStream;
    const wrapped = inkStdout(
      stdout,
      painter,
      () => 34,
      () => true,
    );
    assert.equal(wrapped.columns, 34, 'Ink lays out only the panel column');
    wrapped.write('\x1b[?2026h');
    wrapped.write('\x1b[2K\x1b[1A\x1b[2K\x1b[Gframe\n');
    wrapped.write('\x1b[?2026l');
    assert.equal(chunks.length, 3);
    assert.equal(chunks[1], '\x1b[1G\x1b[34X\x1b[1A\x1b[1G\x1b[34X\x1b[Gframe\n', 'the pane beyond column 34 is left alone');
    assert.match(chunks[2], /^\x1b7\x1b\[6;1H.*re-run.*\x1b8\x1b\[\?2026l$/s, 'the footer, inside the synchronized update');
    assert.doesNotMatch(chunks[2], /╭|\x1b\[2;36H/, 'not the pane: it was not erased');
    wrapped.write('unsynchronized frame');
    await Promise.resolve();
    assert.equal(chunks.length, 5);
    assert.match(chunks[4], /^\x1b7\x1b\[6;1H/);
    session.dispose();
  });

  it('writes nothing of a frame while the UI does not have the terminal (suspended: a timer that fires on resume, before SIGCONT is handled)', async () => {
    const session = new TerminalSession(8, 3);
    const painter = new PanePainter(session, { write: () => true }, () => VIEW);
    const chunks: string[] = [];
    const stdout = { write: (data: string) => chunks.push(data), columns: 80 } as unknown as NodeJS.WriteStream;
    let owns = false;
    const wrapped = inkStdout(
      stdout,
      painter,
      () => 34,
      () => owns,
    );
    wrapped.write('\x1b[2K\x1b[Gpanels\n');
    await Promise.resolve();
    assert.deepEqual(chunks, [], "the shell's screen is left alone");
    owns = true;
    wrapped.write('\x1b[2K\x1b[Gpanels\n');
    await Promise.resolve();
    assert.equal(chunks.length, 2, 'the frame, then the painter behind it');
    session.dispose();
  });

  it('repaints the whole pane after a frame that erased into it', async () => {
    const session = new TerminalSession(8, 3);
    const painter = new PanePainter(session, { write: () => true }, () => VIEW);
    const chunks: string[] = [];
    const stdout = { write: (data: string) => chunks.push(data), columns: 80 } as unknown as NodeJS.WriteStream;
    let columns = 80;
    const wrapped = inkStdout(
      stdout,
      painter,
      () => columns,
      () => true,
    );
    wrapped.write('full-width picker\n');
    await Promise.resolve();
    columns = 34; // the run view: the picker's lines are erased whole, and the pane drawn again
    wrapped.write('\x1b[2K\x1b[Gpanels\n');
    await Promise.resolve();
    assert.equal(chunks.at(-2), '\x1b[1G\x1b[80X\x1b[Gpanels\n');
    assert.match(chunks.at(-1) ?? '', /╭.*\x1b\[2;36H.*\x1b\[6;1H/s);
    wrapped.write('\x1b[2J\x1b[Htaller than the terminal');
    await Promise.resolve();
    assert.match(chunks.at(-1) ?? '', /╭.*\x1b\[2;36H/s, 'and after Ink cleared the screen');
    session.dispose();
  });

  it("under a status bar, draws the pane from its top row, and after a frame of Ink's only the border it erased", async () => {
    const session = new TerminalSession(8, 3);
    const emit = attachFake(session);
    const view: PaneView = { ...VIEW, top: 2, left: 1 };
    const painter = new PanePainter(session, { write: () => true }, () => view);
    const chunks: string[] = [];
    const stdout = { write: (data: string) => chunks.push(data), columns: 50 } as unknown as NodeJS.WriteStream;
    const wrapped = inkStdout(
      stdout,
      painter,
      () => 50,
      () => true,
    );
    assert.match(borderSequence(view), /^\x1b\[2;1H.*╭.*\x1b\[3;1H│.*\x1b\[6;1H.*╰/s);
    emit('one');
    await session.flush();
    wrapped.write('\x1b[2K\x1b[Gstatus bar\n');
    await Promise.resolve();
    const repaint = chunks.at(-1) ?? '';
    assert.match(repaint, /\x1b\[2;1H.*╭/s, 'the border again: the frame ends on its row');
    assert.doesNotMatch(repaint, /\x1b\[3;2H/, "the pane's lines are below the frame: not drawn again");
    session.dispose();
  });

  it("draws the panels' live lines as they change, below the column's cut never, and again after an Ink frame", () => {
    const session = new TerminalSession(8, 3);
    const written: string[] = [];
    let uptime = 'up 1s';
    const live = [
      { runs: () => [{ text: uptime }], position: () => ({ row: 2, col: 3, width: 8 }) },
      { runs: () => [{ text: 'cut off' }], position: () => ({ row: VIEW.height + 1, col: 3, width: 8 }) },
      { runs: () => [{ text: 'not laid out' }], position: () => null },
    ];
    const painter = new PanePainter(session, { write: (data) => written.push(data) }, () => VIEW, live);
    painter.afterInkFrame(Number.POSITIVE_INFINITY);
    painter.paintChanged();
    assert.equal(written.length, 0, 'nothing changed since the frame');
    uptime = 'up 2s';
    painter.paintChanged();
    assert.deepEqual(written, ['\x1b7\x1b[2;3H\x1b[0mup 2s\x1b[0m\x1b[3X\x1b8']);
    painter.paintChanged();
    assert.equal(written.length, 1, 'drawn once');
    assert.match(painter.afterInkFrame(34), /\x1b\[2;3H\x1b\[0mup 2s/, 'Ink drew it as of its render: drawn again now');
    session.dispose();
  });
});
