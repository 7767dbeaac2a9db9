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
 * so the screen, cursor and attributes after B are the same either way. Only
 * the scrollback differs, and the pane keeps none.
 */
import { addon } from '../../runtime/native.js';

/**
 * Where the plain text stops: the first character that is not printable,
 * TAB, CR or LF (a C0 or C1 control, DEL), which can move the cursor up,
 * read or restyle the screen. Scanned natively (native/text.c), as every byte of a
 * flood is: some 4 times faster than a regular expression.
 */
const plainUntil = (text: string): number => {
  const at = addon().firstControl(text);
  return at < 0 ? text.length : at;
};

/**
 * Output read in `chunks`, as one string, with the plain lines at its start
 * that would scroll off a screen of `rows` rows replaced by `rows` CR LFs.
 * Only what is kept is joined: in a flood that is the last few chunks. The
 * caller guarantees that, when it is parsed, the emulator is between escape
 * sequences and its scroll region is the whole screen.
 */
export function dropScrolledOffLines(chunks: readonly string[], rows: number): string {
  // A needs `rows` LFs to be exact; it gets 2 * rows, so that what is dropped is worth the look. B gets `rows`.
  const minLines = 3 * rows + 1;
  // The plain chunks at the start; the one after them may begin plain too.
  let plain = 0;
  while (plain < chunks.length && plainUntil(chunks[plain]) === chunks[plain].length) plain++;
  // Back from there, the chunks that hold enough lines for A and B: those before them are plain, all in A.
  let from = Math.min(plain, chunks.length - 1);
  for (let lines = lineFeeds(chunks[from] ?? ''); from > 0 && lines < minLines; ) lines += lineFeeds(chunks[--from]);
  const tail = chunks.slice(from).join('');
  const kept = dropFromString(tail, rows, minLines);
  return kept === tail && from > 0 ? chunks.join('') : kept;
}

/** The same for one string. */
function dropFromString(data: string, rows: number, minLines: number): string {
  if (data.length < 2 * minLines) return data;
  const plainEnd = plainUntil(data);
  // B: the last `rows` LFs of the plain start; A ends at the LF before them and holds 2 * rows LFs of its own.
  const end = nthLastLineFeed(data, plainEnd, rows + 1);
  if (end < 0 || nthLastLineFeed(data, end, 2 * rows - 1) < 0) return data;
  if (data[end - 1] !== '\r') return data; // a bare LF keeps the column: A would not end at column 0
  return '\r\n'.repeat(rows) + data.slice(end + 1);
}

function lineFeeds(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/** Index of the nth LF counting back from `before` (exclusive), or -1. */
function nthLastLineFeed(data: string, before: number, n: number): number {
  let at = before;
  for (let i = 0; i < n; i++) {
    at = at > 0 ? data.lastIndexOf('\n', at - 1) : -1;
    if (at < 0) return -1;
  }
  return at;
}
