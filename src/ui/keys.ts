/**
 * The keys the UI reads, by name: every raw sequence a terminal sends for
 * each (arrows and Home/End in normal and application cursor mode, and the
 * control characters), in one table. The keymap, the picker, the line
 * editor and input routing all ask keyName(); input.ts splitKeys cuts raw
 * input into the single keys it names.
 */
const SEQUENCES = {
  enter: ['\r', '\n'],
  escape: ['\x1b'],
  tab: ['\t'],
  'shift-tab': ['\x1b[Z'],
  up: ['\x1b[A', '\x1bOA'],
  down: ['\x1b[B', '\x1bOB'],
  left: ['\x1b[D', '\x1bOD'],
  right: ['\x1b[C', '\x1bOC'],
  home: ['\x1b[H', '\x1bOH', '\x1b[1~'],
  end: ['\x1b[F', '\x1bOF', '\x1b[4~'],
  'page-up': ['\x1b[5~'],
  'page-down': ['\x1b[6~'],
  /** Shift-PgUp/PgDn: the pane scrolls even while keys go to the container, as in most terminals. */
  'shift-page-up': ['\x1b[5;2~'],
  'shift-page-down': ['\x1b[6;2~'],
  backspace: ['\x7f', '\b'],
  delete: ['\x1b[3~'],
  'ctrl-a': ['\x01'],
  'ctrl-b': ['\x02'],
  'ctrl-c': ['\x03'],
  'ctrl-d': ['\x04'],
  'ctrl-e': ['\x05'],
  'ctrl-f': ['\x06'],
  'ctrl-k': ['\x0b'],
  'ctrl-l': ['\x0c'],
  'ctrl-u': ['\x15'],
  'ctrl-w': ['\x17'],
  'ctrl-z': ['\x1a'],
  /** Ctrl-]: the prefix key (keymap.ts). */
  'ctrl-]': ['\x1d'],
} as const satisfies Record<string, readonly string[]>;

export type KeyName = keyof typeof SEQUENCES;

const BY_SEQUENCE = new Map<string, KeyName>(Object.entries(SEQUENCES).flatMap(([name, raws]) => raws.map((raw) => [raw, name as KeyName] as const)));

/** The name of one raw key (as splitKeys cuts it), or null for text and keys the UI does not read. */
export function keyName(raw: string): KeyName | null {
  return BY_SEQUENCE.get(raw) ?? null;
}

/** The sequence a terminal sends for `name` (its first, where there are several). */
export function sequenceOf(name: KeyName): string {
  return SEQUENCES[name][0];
}

/** Printable text: a typed character, or several at once from a paste; no control characters. */
export function isPrintable(key: string): boolean {
  return key.length > 0 && !/[\x00-\x1f\x7f]/.test(key);
}
