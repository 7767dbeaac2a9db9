/**
 * Jump scrolling: a flood of plain lines (`cat` of a big file) scrolls most of
 * them off the screen before anyone could see them, so the emulator need not
 * print them. Pure: text in, equivalent text out.
 *
 * Why it is exact. Say the output starts with plain lines only (printable
 * characters, TAB, CR, LF: nothing that reads the screen, moves the cursor up
 * or changes attributes), the scroll region is the whole screen, and the text is
 * A + B, where A ends with CR LF and B holds at least `rows` more LFs. After
 * A the cursor is on a freshly scrolled-in blank bottom row at column 0,
 * wherever it started, as long as A holds at least `rows` LFs; `rows` CR LFs
 * end in that same state. B then scrolls every row it finds off the screen,
 * so the screen, cursor and attributes after B are the same either way. And
 * when B holds as many LFs as the screen and its history have lines
 * (`keptRows`), it scrolls every line A left in the history out of it too:
 * the history is the same either way.
 */
import { addon } from '../../runtime/native.js';

const LF = 0x0a;
const CR = 0x0d;

/** A place in a list of chunks: byte `index` of chunk `chunk`. */
interface Position {
  chunk: number;
  index: number;
}

/**
 * Where the plain text stops: the first character that is not printable,
 * TAB, CR or LF (a C0 or C1 control, DEL), which can move the cursor up,
 * read or restyle the screen. Scanned natively (native/text.c), as every
 * byte of a flood is.
 */
const plainUntil = (bytes: Uint8Array): number => {
  const at = addon().firstControl(bytes);
  return at < 0 ? bytes.length : at;
};

/** What jump scrolling kept of a flood: `chunks`, of which the first `plainChunks` are plain text. */
export interface Kept {
  chunks: readonly Buffer[];
  plainChunks: number;
}

/**
 * Output read in `chunks`, each of whole UTF-8 characters, with the plain
 * lines at its start that would scroll off a screen of `rows` rows and a
 * history of `keptRows - rows` lines replaced by `rows` CR LFs: the last
 * `keptRows` lines, which fill both, are kept; null when nothing can be cut.
 * Nothing is copied: what is kept are views of the chunks given. The first
 * `plainChunks` chunks are known to be plain (what an earlier cut said), and
 * are not scanned again. The caller guarantees that, when it is parsed, the
 * emulator is between escape sequences and its scroll region is the whole
 * screen.
 */
export function dropScrolledOffLines(chunks: readonly Buffer[], rows: number, keptRows = rows, plainChunks = 0): Kept | null {
  if (chunks.length === 0) return null;
  const plainEnd = endOfPlainStart(chunks, plainChunks);
  // B: the last `keptRows` LFs of the plain start; A ends at the LF before them and holds 2 * rows LFs of its own.
  const end = lineFeedBefore(chunks, plainEnd, keptRows + 1);
  if (!end || !lineFeedBefore(chunks, end, 2 * rows - 1)) return null;
  if (byteBefore(chunks, end) !== CR) return null; // a bare LF keeps the column: A would not end at column 0
  // The last chunk wholly plain; the CR LFs and the kept chunks up to it are plain.
  const lastPlain = plainEnd.index === chunks[plainEnd.chunk].length ? plainEnd.chunk : plainEnd.chunk - 1;
  return {
    chunks: [Buffer.from('\r\n'.repeat(rows)), chunks[end.chunk].subarray(end.index + 1), ...chunks.slice(end.chunk + 1)],
    plainChunks: 1 + Math.max(0, lastPlain - end.chunk + 1),
  };
}

/** `chunks` as one buffer, cut by jump scrolling where it can be. */
export function withScrolledOffLinesDropped(chunks: readonly Buffer[], rows: number, keptRows = rows, plainChunks = 0): Buffer {
  return Buffer.concat(dropScrolledOffLines(chunks, rows, keptRows, plainChunks)?.chunks ?? chunks);
}

/** Where the plain text at the start of `chunks` ends (the end of the last chunk if it is all plain); the first `plainChunks` are. */
function endOfPlainStart(chunks: readonly Buffer[], plainChunks: number): Position {
  for (let chunk = plainChunks; chunk < chunks.length; chunk++) {
    const index = plainUntil(chunks[chunk]);
    if (index < chunks[chunk].length) return { chunk, index };
  }
  return { chunk: chunks.length - 1, index: chunks[chunks.length - 1].length };
}

/** The nth LF counting back from `before` (exclusive), across chunks, or null. */
function lineFeedBefore(chunks: readonly Buffer[], before: Position, n: number): Position | null {
  let { chunk, index } = before;
  for (let found = 0; ;) {
    // lastIndexOf takes a negative offset as counted from the end: search only from a real byte.
    const at = index > 0 ? chunks[chunk].lastIndexOf(LF, index - 1) : -1;
    if (at >= 0) {
      if (++found === n) return { chunk, index: at };
      index = at;
    } else if (chunk > 0) {
      index = chunks[--chunk].length;
    } else {
      return null;
    }
  }
}

function byteBefore(chunks: readonly Buffer[], at: Position): number | undefined {
  for (let { chunk, index } = at; ; index = chunks[--chunk].length) {
    if (index > 0) return chunks[chunk][index - 1];
    if (chunk === 0) return undefined;
  }
}
