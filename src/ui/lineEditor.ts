/**
 * One line of text being edited, as a shell's line editor does it: the
 * picker's text fields and the command line after `e` share it. Keys are
 * raw terminal input (see input.ts splitKeys), named by keys.ts.
 */
import { isPrintable, keyName, type KeyName } from './keys.js';

export interface EditLine {
  text: string;
  /** Where typing goes, in characters (code points) from the start: 0 to the text's length. */
  cursor: number;
}

/** A line with the cursor at its end, as a field shows a value it was given. */
export const lineOf = (text: string): EditLine => ({ text, cursor: Array.from(text).length });

/** What each editing key does; the Ctrl ones are Emacs's, as in a shell (Ctrl-U: all of it, as the fields always did). */
const EDITS: Partial<Record<KeyName, 'left' | 'right' | 'home' | 'end' | 'backspace' | 'delete' | 'kill-line' | 'kill-to-end' | 'kill-word'>> = {
  left: 'left',
  'ctrl-b': 'left',
  right: 'right',
  'ctrl-f': 'right',
  home: 'home',
  'ctrl-a': 'home',
  end: 'end',
  'ctrl-e': 'end',
  backspace: 'backspace',
  delete: 'delete',
  'ctrl-d': 'delete',
  'ctrl-u': 'kill-line',
  'ctrl-k': 'kill-to-end',
  'ctrl-w': 'kill-word',
};

/** The line after `key`, or null when `key` is no editing key (Enter, Tab, arrows up and down: the caller's). */
export function editLineKey(line: EditLine, key: string): EditLine | null {
  const chars = Array.from(line.text);
  const at = Math.min(line.cursor, chars.length);
  const make = (next: string[], cursor: number): EditLine => ({ text: next.join(''), cursor });
  const name = keyName(key);
  const edit = name ? EDITS[name] : undefined;
  if (edit === 'left') return make(chars, Math.max(0, at - 1));
  if (edit === 'right') return make(chars, Math.min(chars.length, at + 1));
  if (edit === 'home') return make(chars, 0);
  if (edit === 'end') return make(chars, chars.length);
  if (edit === 'backspace') return at === 0 ? line : make([...chars.slice(0, at - 1), ...chars.slice(at)], at - 1);
  if (edit === 'delete') return make([...chars.slice(0, at), ...chars.slice(at + 1)], at);
  if (edit === 'kill-line') return make([], 0);
  if (edit === 'kill-to-end') return make(chars.slice(0, at), at);
  if (edit === 'kill-word') {
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
