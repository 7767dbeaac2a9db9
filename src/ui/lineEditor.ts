/**
 * One line of text being edited, as a shell's line editor does it: the
 * picker's text fields and the command line after `e` share it. Keys are
 * raw terminal input (see input.ts splitKeys).
 */

export interface EditLine {
  text: string;
  /** Where typing goes, in characters (code points) from the start: 0 to the text's length. */
  cursor: number;
}

/** A line with the cursor at its end, as a field shows a value it was given. */
export const lineOf = (text: string): EditLine => ({ text, cursor: Array.from(text).length });

/** Printable text: a typed character, or several at once from a paste; no control characters. */
export function isPrintable(key: string): boolean {
  return key.length > 0 && !/[\x00-\x1f\x7f]/.test(key);
}

const LEFT = ['\x1b[D', '\x1bOD', '\x02'];
const RIGHT = ['\x1b[C', '\x1bOC', '\x06'];
const HOME = ['\x1b[H', '\x1bOH', '\x1b[1~', '\x01'];
const END = ['\x1b[F', '\x1bOF', '\x1b[4~', '\x05'];
const BACKSPACE = ['\x7f', '\b'];
const DELETE = ['\x1b[3~', '\x04'];
const KILL_LINE = '\x15'; // Ctrl-U: all of it, as the fields always did
const KILL_TO_END = '\x0b'; // Ctrl-K
const KILL_WORD = '\x17'; // Ctrl-W: the word before the cursor

/** The line after `key`, or null when `key` is no editing key (Enter, Tab, arrows up and down: the caller's). */
export function editLineKey(line: EditLine, key: string): EditLine | null {
  const chars = Array.from(line.text);
  const at = Math.min(line.cursor, chars.length);
  const make = (next: string[], cursor: number): EditLine => ({ text: next.join(''), cursor });
  if (LEFT.includes(key)) return make(chars, Math.max(0, at - 1));
  if (RIGHT.includes(key)) return make(chars, Math.min(chars.length, at + 1));
  if (HOME.includes(key)) return make(chars, 0);
  if (END.includes(key)) return make(chars, chars.length);
  if (BACKSPACE.includes(key)) return at === 0 ? line : make([...chars.slice(0, at - 1), ...chars.slice(at)], at - 1);
  if (DELETE.includes(key)) return make([...chars.slice(0, at), ...chars.slice(at + 1)], at);
  if (key === KILL_LINE) return make([], 0);
  if (key === KILL_TO_END) return make(chars.slice(0, at), at);
  if (key === KILL_WORD) {
    let start = at;
    while (start > 0 && /\s/.test(chars[start - 1])) start--;
    while (start > 0 && !/\s/.test(chars[start - 1])) start--;
    return make([...chars.slice(0, start), ...chars.slice(at)], start);
  }
  if (isPrintable(key)) {
    const typed = Array.from(key);
    return make([...chars.slice(0, at), ...typed, ...chars.slice(at)], at + typed.length);
  }
  return null;
}
