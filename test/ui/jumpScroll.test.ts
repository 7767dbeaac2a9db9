/** Jump scrolling gives the very screen the full output gives, whatever came before. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import xterm from '@xterm/headless';
import { dropScrolledOffLines, withScrolledOffLinesDropped as drop } from '../../src/ui/services/jumpScroll.js';
import { snapshotScreen } from '../../src/ui/services/screen.js';

const COLS = 30;
const ROWS = 6;

/** The screen (text, colours, cursor) after `parts` are written in turn to a fresh emulator. */
async function screenAfter(...parts: (string | Uint8Array)[]): Promise<string> {
  const term = new xterm.Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true, scrollback: 0 });
  for (const part of parts) await new Promise<void>((resolve) => term.write(part, resolve));
  const buffer = term.buffer.active;
  return JSON.stringify({ screen: snapshotScreen(term, true), x: buffer.cursorX, y: buffer.cursorY });
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Plain lines: short, empty, wider than the screen (they wrap), wide characters, a CR in the middle. */
function plainLines(next: () => number, count: number): string {
  const pieces = ['x', 'hello world', '世界', 'é', 'cr\rCR', 'a\tb', '\t'.repeat(6), '-'.repeat(COLS + 5)];
  let out = '';
  for (let i = 0; i < count; i++) {
    const length = Math.floor(next() * 3);
    for (let j = 0; j < length; j++) out += pieces[Math.floor(next() * pieces.length)];
    out += `${i}\r\n`;
  }
  return out;
}

/** `data` cut at random places between characters, as the pty's reads cut it: mid-line, mid-sequence, or not at all. */
function chunksOf(data: string, next: () => number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length;) {
    const size = next() < 0.2 ? data.length : 1 + Math.floor(next() * 200);
    chunks.push(Buffer.from(data.slice(at, at + size)));
    at += size;
  }
  return chunks;
}

/** Jump scrolling of text in one chunk, as text. */
const dropFrom = (data: string): string => drop([Buffer.from(data)], ROWS).toString();

/** What a screen may hold before: colours, a cursor anywhere, a line left half written. */
const BEFORE = [
  '',
  '\x1b[41mred background\x1b[0m\r\nsecond',
  '\x1b[3;10Hmid-screen',
  '\x1b[44m\x1b[2J\x1b[H', // blue erase colour: new lines scroll in blue
  `${'y'.repeat(COLS)}`, // a pending wrap
  '\x1b[?25l\x1b[1mbold, cursor hidden',
  `${'old text, old text, old text\r\n'.repeat(ROWS - 1)}old\x1b[H`, // a full screen, the cursor back at its top
  `${'old text, old text, old text\r\n'.repeat(ROWS)}\x1b[2;5H`,
  '\x1b[3g\x1b[1;5H\x1bH\x1b[1;13H\x1bH\x1b[H', // tab stops of its own, at columns 5 and 13
];

describe('jump scrolling', () => {
  it('leaves the same screen as printing every line', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const next = random(seed);
      const before = BEFORE[seed % BEFORE.length];
      const tail = seed % 3 === 0 ? '\x1b[32mgreen tail\x1b[0m\x1b[2;3Hmoved' : 'partial line';
      const data = plainLines(next, 3 * ROWS + 1 + Math.floor(next() * 40)) + tail;
      const dropped = drop(chunksOf(data, next), ROWS);
      assert.ok(dropped.length < Buffer.byteLength(data), `seed ${seed}: lines were dropped`);
      assert.equal(await screenAfter(before, dropped), await screenAfter(before, data), `seed ${seed}`);
    }
  });

  it('keeps short output, and output that is not plain from its start, as it is', () => {
    const lines = plainLines(random(7), 3 * ROWS + 10);
    assert.equal(dropFrom(plainLines(random(7), 2 * ROWS)), plainLines(random(7), 2 * ROWS));
    assert.equal(dropFrom(`\x1b[1A${lines}`), `\x1b[1A${lines}`);
    for (const control of ['\x00', '\x07', '\x08', '\x0b', '\x0e', '\x7f', '\x80', '\x85', '\x9b', '\x9f']) {
      assert.equal(dropFrom(control + lines), control + lines, `U+${control.charCodeAt(0).toString(16)}`);
    }
    // Characters whose UTF-8 starts as a C1 control's does (0xC2), but are printable.
    const wide = lines.replaceAll('x', '世').replaceAll('-', '\u00a0').replaceAll('h', '°');
    assert.notEqual(dropFrom(wide), wide, 'wide characters, no-break spaces and degree signs are plain');
    assert.equal(drop([], ROWS).length, 0);
  });

  it('keeps lines ended by a bare LF, which leaves the column where it was', () => {
    const bare = 'some text\n'.repeat(5 * ROWS);
    assert.equal(dropFrom(bare), bare);
  });

  it('drops only up to the first sequence that could read the screen', async () => {
    const head = plainLines(random(3), 4 * ROWS);
    const data = `${head}\x1b[H${plainLines(random(4), 4 * ROWS)}`;
    const dropped = dropFrom(data);
    assert.ok(dropped.endsWith(data.slice(head.length - 20)));
    assert.equal(await screenAfter(dropped), await screenAfter(data));
  });

  it('keeps views of the chunks given, says which are plain, and does not scan again what a cut said was', () => {
    const lines = (from: number, count: number) => Array.from({ length: count }, (_, i) => `line ${from + i}\r\n`).join('');
    const chunks = [Buffer.from(lines(0, 3 * ROWS)), Buffer.from(lines(3 * ROWS, 3 * ROWS))];
    const kept = dropScrolledOffLines(chunks, ROWS)!;
    assert.ok(kept, 'a cut');
    assert.equal(kept.chunks.at(-1)!.buffer, chunks[1].buffer, 'the kept end is a view of the last chunk, not a copy');
    assert.equal(kept.plainChunks, kept.chunks.length, 'all plain');
    // A sequence after the plain lines: the chunk holding it is kept, and not called plain.
    const tail = [...chunks, Buffer.from('prompt \x1b[1mbold\x1b[0m'), Buffer.from(lines(100, 2))];
    const keptWithTail = dropScrolledOffLines(tail, ROWS)!;
    assert.equal(keptWithTail.chunks.length - keptWithTail.plainChunks, 2, 'the chunk with the sequence, and the one after it');
    const cutInside = [Buffer.concat([chunks[0], chunks[1], Buffer.from('\x1b[H')])];
    assert.equal(dropScrolledOffLines(cutInside, ROWS)!.plainChunks, 1, 'the one chunk, kept from its middle, holds the sequence');
    const unscanned = [Buffer.from(`\x1b[H${lines(0, 3 * ROWS)}`), chunks[1]];
    assert.equal(dropScrolledOffLines(unscanned, ROWS), null, 'scanned: the sequence stops the cut');
    assert.ok(dropScrolledOffLines(unscanned, ROWS, ROWS, 1), 'known plain: not scanned');
  });

  it('drops whole plain chunks, and counts lines across chunks', () => {
    const lines = (from: number, count: number) => Array.from({ length: count }, (_, i) => `line ${from + i}\r\n`).join('');
    const chunks = [lines(0, 40), lines(40, 40), lines(80, 40), lines(120, 3 * ROWS + 1)];
    const kept = drop(
      chunks.map((chunk) => Buffer.from(chunk)),
      ROWS,
    ).toString();
    assert.equal(kept, '\r\n'.repeat(ROWS) + lines(120 + 2 * ROWS + 1, ROWS), 'the last ROWS lines after ROWS fresh ones');
    // Cut into chunks of every small size, so that every CR, LF and line falls on a chunk's edge somewhere: the same.
    const text = lines(0, 5 * ROWS);
    for (let size = 1; size <= 8; size++) {
      const small = text.match(new RegExp(`[^]{1,${size}}`, 'g'))!.map((chunk) => Buffer.from(chunk));
      assert.equal(drop(small, ROWS).toString(), dropFrom(text), `chunks of ${size}`);
    }
    // A sequence in an early chunk: nothing from there on may go, nor anything before it that is too short.
    const withSequence = [lines(0, 2), '\x1b[H', ...chunks];
    assert.equal(
      drop(
        withSequence.map((chunk) => Buffer.from(chunk)),
        ROWS,
      ).toString(),
      withSequence.join(''),
    );
  });
});

describe('jump scrolling with a history', () => {
  const HISTORY = 25;

  /** The screen and every line of the history after `parts`, in an emulator that keeps HISTORY lines. */
  async function screenAndHistory(...parts: string[]): Promise<string> {
    const term = new xterm.Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true, scrollback: HISTORY });
    for (const part of parts) await new Promise<void>((resolve) => term.write(part, resolve));
    const buffer = term.buffer.active;
    const lines = Array.from({ length: buffer.length }, (_, y) => buffer.getLine(y)?.translateToString(true));
    return JSON.stringify({ lines, x: buffer.cursorX, y: buffer.cursorY });
  }

  it('keeps the screen and the whole history exact when it keeps as many lines as both hold', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const next = random(seed);
      const before = BEFORE[seed % BEFORE.length];
      const data = plainLines(next, 1 + Math.floor(next() * 200));
      const dropped = drop(chunksOf(data, next), ROWS, ROWS + HISTORY).toString();
      assert.equal(await screenAndHistory(before, dropped), await screenAndHistory(before, data), `seed ${seed}`);
      if (seed === 1) assert.ok(dropped.length < data.length, 'a long flood is cut short');
    }
  });
});
