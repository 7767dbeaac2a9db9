/** Pure text helpers for the side panels: sizes, durations, bars, sparklines. */
import type { Sample } from './types.js';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 0 → "0 B", 1536 → "1.5 KiB", 104857600 → "100.0 MiB" (binary units, as cgroups count). */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  // 1023.97 KiB would print as "1024.0 KiB": show it as the next unit instead.
  if (Number(value.toFixed(1)) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** 42000 → "42s", 65000 → "1m 05s", 3700000 → "1h 01m": two units are enough to watch a run. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.floor(Math.max(0, ms) / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h ${pad2(minutes)}m`;
  if (minutes > 0) return `${minutes}m ${pad2(seconds)}s`;
  return `${seconds}s`;
}

/** Cut to at most `max` characters, ending in "…" when something was cut. */
export function truncate(text: string, max: number): string {
  if (max <= 0) return '';
  // Array.from counts code points, so a cut never splits a surrogate pair.
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return chars.slice(0, max - 1).join('') + '…';
}

/** Split into at most `maxLines` lines of `width` characters; the last one ends in "…" if text was left over. */
export function wrapLines(text: string, width: number, maxLines: number): string[] {
  if (width <= 0 || maxLines <= 0) return [];
  const words = text.replace(/\s+/g, ' ').trim().split(' ').filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const candidate = line ? `${line} ${word}` : word;
    if (Array.from(candidate).length <= width) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    // A word longer than the line is split across lines.
    let rest = Array.from(word);
    while (rest.length > width) {
      lines.push(rest.slice(0, width).join(''));
      rest = rest.slice(width);
    }
    line = rest.join('');
  }
  if (line) lines.push(line);
  return firstLines(lines, maxLines, width);
}

/** The first `count` of `lines` (each at most `width` wide); cut short, the last one kept ends in "…", so a cut never passes for the end. */
export function firstLines(lines: readonly string[], count: number, width: number): string[] {
  if (lines.length <= count) return [...lines];
  const kept = lines.slice(0, Math.max(0, count));
  const last = kept.at(-1);
  if (last !== undefined)
    kept[kept.length - 1] = `${Array.from(last)
      .slice(0, width - 1)
      .join('')}…`;
  return kept;
}

/** A bar of `cells` characters filled to `fraction` (0..1): bar(0.6, 10) → "██████░░░░". */
export function bar(fraction: number, cells: number): string {
  const size = Math.max(0, Math.floor(cells));
  const clamped = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const filled = Math.round(clamped * size);
  return '█'.repeat(filled) + '░'.repeat(size - filled);
}

const SPARK_LEVELS = '▁▂▃▄▅▆▇█';

/** One block per value, scaled so that `max` is a full block, a blank for null: sparkline([0, null, 100], 100) → "▁ █". */
export function sparkline(values: readonly (number | null)[], max: number): string {
  const top = SPARK_LEVELS.length - 1;
  return values
    .map((value) => {
      if (value === null) return ' ';
      const level = max > 0 ? Math.round((Math.max(0, value) / max) * top) : 0;
      return SPARK_LEVELS[Math.min(top, level)];
    })
    .join('');
}

/**
 * The `windowMs` before `now` cut into `cells` equal slices, oldest first, each
 * the highest value it saw: a sample's value holds until the next sample, so a
 * slice also sees the value held as it began. Null before the first sample.
 */
export function timeSlices(samples: readonly Sample[], now: number, cells: number, windowMs: number): (number | null)[] {
  const step = windowMs / cells;
  let next = 0;
  let held: number | null = null;
  const take = (before: number) => {
    let highest = held;
    for (; next < samples.length && samples[next].at <= before; next++) {
      held = samples[next].value;
      highest = Math.max(highest ?? held, held);
    }
    return highest;
  };
  take(now - windowMs); // what holds as the window begins
  return Array.from({ length: cells }, (_, i) => take(now - windowMs + (i + 1) * step));
}

/** Characters available inside a panel of `width` columns: a border and one space of padding on each side. */
export function panelInnerWidth(width: number): number {
  return Math.max(1, width - 4);
}
