/**
 * The small per-user store of the TUI, in $XDG_CONFIG_HOME/baby-docker or
 * ~/.config/baby-docker (as root: /root/.config/baby-docker):
 *   config.json  — written by a person (a teacher): {"rootfs": ["/srv/labs/alpine", ...]}
 *   history.json — written by us: recently used rootfs directories and commands.
 * Every function takes the directory as an optional last parameter so tests
 * can use a temporary one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configDir } from '../runtime/paths.js';
import { randomHex } from '../runtime/random.js';

export interface Config {
  /** Root filesystem directories offered in the picker. */
  rootfs: string[];
}

export interface History {
  /** Most recent first, de-duplicated, at most HISTORY_LIMIT. */
  rootfs: string[];
  /** Command lines as typed; most recent first, de-duplicated, at most HISTORY_LIMIT. */
  commands: string[];
}

export const HISTORY_LIMIT = 20;
export const CONFIG_FILE = 'config.json';
export const HISTORY_FILE = 'history.json';
export const LAB_PROGRESS_FILE = 'lab-progress.json';

/** Read a file, or null when it does not exist. */
function readIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** Where JSON.parse failed on `text`. V8 names the position for most errors
 * but not for an unexpected character (a trailing comma, a single quote):
 * then find the shortest prefix that fails for a reason other than ending
 * too soon; a prefix that fails only at its end is merely incomplete. */
function jsonErrorOffset(text: string, error: Error): number {
  const named = /at position (\d+)/.exec(error.message);
  if (named) return Number(named[1]);
  const failsBeforeEnd = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (prefixError) {
      const message = (prefixError as Error).message;
      if (message.includes('Unexpected end of JSON input')) return false;
      const position = /at position (\d+)/.exec(message);
      return position === null || Number(position[1]) < length;
    }
  };
  // Binary search: once a prefix fails before its end, every longer one does.
  let low = 1;
  let high = text.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (failsBeforeEnd(middle)) high = middle;
    else low = middle + 1;
  }
  return low - 1;
}

/** 1-based line and column of a character offset, as editors show them. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string' && item.trim() !== '');
}

/** The teacher's config. A mistake in it is reported (one line naming the
 * file), not ignored: someone wrote it on purpose and wants to know. */
export function loadConfig(dir: string = configDir()): Config {
  const file = path.join(dir, CONFIG_FILE);
  const text = readIfExists(file);
  if (text === null) return { rootfs: [] };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const { line, column } = lineAndColumn(text, jsonErrorOffset(text, error as Error));
    const reason = (error as Error).message.replace(/\s+/g, ' ');
    throw new Error(`${file}: invalid JSON at line ${line}, column ${column}: ${reason}`, { cause: error });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error(`${file}: expected an object like {"rootfs": ["/srv/labs/alpine"]}`);
  }
  const rootfs = (data as { rootfs?: unknown }).rootfs;
  if (rootfs === undefined) return { rootfs: [] };
  if (!isStringList(rootfs)) {
    throw new Error(`${file}: rootfs must be a list of paths, e.g. {"rootfs": ["/srv/labs/alpine"]}`);
  }
  return { rootfs: [...rootfs] };
}

/** Most recent first, without repeats, at most HISTORY_LIMIT. */
function recentList(items: readonly string[]): string[] {
  return [...new Set(items)].slice(0, HISTORY_LIMIT);
}

/** Our own file, a convenience only: if it is damaged we start afresh rather
 * than stop anyone from running a container. */
export function loadHistory(dir: string = configDir()): History {
  const empty: History = { rootfs: [], commands: [] };
  let text: string | null;
  try {
    text = readIfExists(path.join(dir, HISTORY_FILE));
  } catch {
    return empty;
  }
  if (text === null) return empty;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return empty;
  }
  if (typeof data !== 'object' || data === null) return empty;
  const { rootfs, commands } = data as { rootfs?: unknown; commands?: unknown };
  const strings = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item !== '') : [];
  return { rootfs: recentList(strings(rootfs)), commands: recentList(strings(commands)) };
}

/** Write to a temporary file in the same directory, then rename over the old
 * one: a crash or a second instance never leaves a half-written file. */
function writeJson(dir: string, name: string, data: unknown): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, name);
  const temp = `${file}.${process.pid}.${randomHex(4)}.tmp`;
  try {
    fs.writeFileSync(temp, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

export function saveHistory(history: History, dir: string = configDir()): void {
  writeJson(dir, HISTORY_FILE, { rootfs: recentList(history.rootfs), commands: recentList(history.commands) });
}

/** Each lab's step to come back to, by lab id. Like the history, a damaged file starts afresh. */
export function loadLabProgress(dir: string = configDir()): Record<string, number> {
  try {
    const data: unknown = JSON.parse(readIfExists(path.join(dir, LAB_PROGRESS_FILE)) ?? '{}');
    if (typeof data !== 'object' || data === null) return {};
    return Object.fromEntries(Object.entries(data).filter((entry): entry is [string, number] => Number.isInteger(entry[1]) && entry[1] >= 0));
  } catch {
    return {};
  }
}

export function saveLabProgress(labId: string, step: number, dir: string = configDir()): void {
  writeJson(dir, LAB_PROGRESS_FILE, { ...loadLabProgress(dir), [labId]: step });
}

/** The history after a run of `commandLine` on `rootfs`. "default" is not
 * recorded: the picker always offers it first anyway. */
export function rememberRun(history: History, rootfs: string, commandLine: string): History {
  const line = commandLine.trim();
  return {
    rootfs: recentList(rootfs === 'default' ? history.rootfs : [rootfs, ...history.rootfs]),
    commands: recentList(line === '' ? history.commands : [line, ...history.commands]),
  };
}
