/**
 * The "New container" picker as a pure model: the state, and a reducer from
 * one raw keypress (terminal bytes) to the next state. The Picker component
 * only draws this state, so all the behaviour is tested here without React.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultCommand, findCommandInRootfs } from '../runtime/insideRootfs.js';
import { DEFAULT_ROOTFS_DIR } from '../runtime/rootfs.js';
import { findLocalImage, parseReference } from '../runtime/images/index.js';
import { RuntimeError } from '../runtime/errors.js';
import {
  checkHostname,
  checkNetwork,
  checkRootfsDir,
  checkStorageOptions,
  DEFAULT_MEMORY_SIZE,
  namesDirectory,
  parseMemory,
  type StorageOptions,
} from '../runtime/spec.js';
import { joinCommandLine, splitCommandLine } from './commandLine.js';
import { isPrintable, keyName } from './keys.js';
import { editLineKey, lineOf } from './lineEditor.js';
import type { RunOptions } from './types.js';

export type PickerField = 'rootfs' | 'command' | 'memory' | 'hostname' | 'network' | 'volumes' | 'lab';

/** Focus order for Tab, and the order in which errors are looked for. */
export const PICKER_FIELDS: readonly PickerField[] = ['rootfs', 'command', 'memory', 'hostname', 'network', 'volumes', 'lab'];

/** A guided lab the picker offers. */
export interface LabChoice {
  id: string;
  title: string;
}

export const EMPTY_COMMAND_ERROR = 'type a command to run, e.g. /bin/sh';

export interface PickerState {
  focus: PickerField;
  /** 'default' first, then recent, then command-line/config dirs, de-duplicated. */
  rootfsChoices: string[];
  /** The selected choice, or rootfsChoices.length for the "type a path…" entry. */
  rootfsIndex: number;
  typedRootfs: string;
  command: string;
  /** Command lines, most recent first. */
  commandHistory: string[];
  /** Which history entry the command field shows; null: the line being typed. */
  historyIndex: number | null;
  /** The line being typed, kept while walking the history (as a shell does). */
  commandDraft: string;
  memory: string;
  hostname: string;
  /** none, bridge or host; empty: the runtime's default. */
  network: string;
  /** Volumes as on the command line: "-v /srv/data:/data:ro --tmpfs /scratch". */
  volumes: string;
  /** The labs on offer; choosing one (Enter on the Labs field) starts it instead of the command. */
  labChoices: LabChoice[];
  /** 0: no lab; i: labChoices[i - 1]. */
  labIndex: number;
  /** Where typing goes in the focused text field (characters from its start); null: at its end. */
  cursor: number | null;
  errors: Partial<Record<PickerField, string>>;
}

export interface PickerResult {
  state: PickerState;
  submit?: RunOptions;
  /** The id of the lab to start. */
  lab?: string;
  /** Esc: back to the run, if there is one. */
  cancel?: boolean;
  /** Ctrl-C: quit the program. */
  quit?: boolean;
}

export interface PickerInit {
  rootfsChoices: string[];
  commandHistory: string[];
  command?: string;
  memory?: string;
  hostname?: string;
  network?: string;
  /** Preselect this rootfs (e.g. the last run's); one not in the list becomes the typed path. */
  rootfs?: string;
  labChoices?: LabChoice[];
}

export function initialPicker({
  rootfsChoices,
  commandHistory,
  rootfs = 'default',
  command = commandOf(rootfs),
  memory = DEFAULT_MEMORY_SIZE,
  hostname = '',
  network = '',
  labChoices = [],
}: PickerInit): PickerState {
  const choices = [...new Set(['default', ...rootfsChoices])];
  const listed = choices.indexOf(rootfs);
  let state: PickerState = {
    focus: 'rootfs',
    rootfsChoices: choices,
    rootfsIndex: listed >= 0 ? listed : choices.length,
    typedRootfs: listed >= 0 ? '' : rootfs,
    command,
    commandHistory: [...new Set(commandHistory)],
    historyIndex: null,
    commandDraft: command,
    memory,
    hostname,
    network,
    volumes: '',
    labChoices,
    labIndex: 0,
    cursor: null,
    errors: {},
  };
  // Values handed in (from the command line, or the last run) are checked at once.
  for (const field of ['rootfs', 'command', 'memory', 'hostname', 'network', 'volumes'] as const) state = recheck(state, field);
  return state;
}

/**
 * The picker once `options` has been run: it offers that run again (its
 * rootfs, command, memory, hostname, network and volumes), and its command first in the history.
 */
export function pickerAfterRun(state: PickerState, options: RunOptions): PickerState {
  const command = joinCommandLine(options.command);
  const rootfsChoices = state.rootfsChoices.includes(options.rootfs)
    ? state.rootfsChoices
    : [state.rootfsChoices[0], options.rootfs, ...state.rootfsChoices.slice(1)];
  return {
    ...state,
    rootfsChoices,
    rootfsIndex: rootfsChoices.indexOf(options.rootfs),
    typedRootfs: '',
    command,
    commandDraft: command,
    commandHistory: [command, ...state.commandHistory.filter((line) => line !== command)],
    historyIndex: null,
    memory: options.memory,
    hostname: options.hostname,
    network: options.network ?? '',
    volumes: volumesLine(options),
    cursor: null,
    errors: {},
  };
}

/** What the command field offers for `rootfs`: its shell, or a local image's Cmd, which what is typed replaces, as with
 * docker run (the image's Entrypoint runs it; empty for an image not here yet: its own). */
function commandOf(rootfs: string): string {
  if (namesDirectory(rootfs)) return defaultCommand(rootfs)[0];
  return joinCommandLine(findLocalImage(rootfs)?.config.cmd ?? []);
}

/** The Volumes field's words: -v and --tmpfs flags, as on the command line. */
function volumesOf(words: string[]): StorageOptions {
  const options: { volumes: string[]; tmpfs: string[] } = { volumes: [], tmpfs: [] };
  for (let i = 0; i < words.length; i += 2) {
    const [flag, value] = [words[i], words[i + 1]];
    const list = flag === '-v' || flag === '--volume' ? options.volumes : flag === '--tmpfs' ? options.tmpfs : null;
    if (list === null || value === undefined)
      throw new RuntimeError(`volumes: give -v HOST:PATH[:ro] or --tmpfs PATH[:OPTIONS], each with its value (not "${flag}")`);
    list.push(value);
  }
  return options;
}

/** A run's volumes as the Volumes field shows them. */
function volumesLine(options: StorageOptions): string {
  return joinCommandLine([...(options.volumes ?? []).flatMap((v) => ['-v', v]), ...(options.tmpfs ?? []).flatMap((t) => ['--tmpfs', t])]);
}

/** The rootfs the picker would run on: a listed choice or the typed path. */
export function selectedRootfs(state: PickerState): string {
  return state.rootfsIndex < state.rootfsChoices.length ? state.rootfsChoices[state.rootfsIndex] : state.typedRootfs.trim();
}

/** A field's words as a shell splits them; null while a quote is still being typed (`strict`: Enter, when that is an error). */
function typedWords(text: string, strict: boolean): string[] | null {
  try {
    return splitCommandLine(text);
  } catch (error) {
    if (strict) throw error;
    return null;
  }
}

/** What is wrong with one field, or undefined. `strict` also reports the
 * things that are only wrong on Enter: nothing typed yet, an unclosed quote. */
function fieldError(state: PickerState, field: PickerField, strict: boolean): string | undefined {
  try {
    switch (field) {
      case 'rootfs': {
        const rootfs = selectedRootfs(state);
        if (rootfs === 'default' || (rootfs === '' && !strict)) return undefined;
        // An image name that is no local image is pulled when the run starts.
        if (namesDirectory(rootfs)) checkRootfsDir(rootfs);
        else parseReference(rootfs);
        return undefined;
      }
      case 'command': {
        const words = typedWords(state.command, strict);
        if (words === null) return undefined;
        // On an image, no command is its own (Entrypoint and Cmd), as with docker run.
        if (words.length === 0 || words[0] === '') return strict && namesDirectory(selectedRootfs(state)) ? EMPTY_COMMAND_ERROR : undefined;
        return missingProgram(state, words[0]);
      }
      case 'memory':
        parseMemory(state.memory);
        return undefined;
      case 'hostname':
        if (state.hostname !== '') checkHostname(state.hostname);
        return undefined;
      case 'network':
        if (state.network.trim() !== '') checkNetwork(state.network.trim());
        return undefined;
      case 'volumes': {
        const words = typedWords(state.volumes, strict);
        if (words !== null) checkStorageOptions(volumesOf(words));
        return undefined;
      }
    }
  } catch (error) {
    return (error as Error).message;
  }
}

/** Why the selected rootfs cannot run `program` (it holds no such executable), or undefined; nothing to say while the rootfs itself is wrong. */
function missingProgram(state: PickerState, program: string): string | undefined {
  const rootfs = selectedRootfs(state);
  if (!namesDirectory(rootfs)) return undefined; // an image's files are in its layers: the run says so
  let dir: string;
  try {
    // The default rootfs is made on its first run: until then there is nothing to look in.
    dir = rootfs === 'default' ? DEFAULT_ROOTFS_DIR : checkRootfsDir(rootfs);
  } catch {
    return undefined;
  }
  if (!fs.existsSync(dir) || findCommandInRootfs(dir, program) !== null) return undefined;
  return `${rootfs} has no ${program}: give a command it holds, or another root filesystem`;
}

/** Re-check a field after it changed. By default an error already shown (say
 * since Enter) is checked strictly, so it stays until it is really fixed. */
function recheck(state: PickerState, field: PickerField, strict = state.errors[field] !== undefined): PickerState {
  const error = fieldError(state, field, strict);
  const errors = { ...state.errors };
  if (error === undefined) delete errors[field];
  else errors[field] = error;
  return { ...state, errors };
}

/** Another rootfs is selected: it is checked, and so is the command; one left at the last rootfs's default shell becomes this one's (bash or sh). */
function onRootfsChange(before: PickerState, after: PickerState, strict?: boolean): PickerState {
  const shell = (state: PickerState) => commandOf(selectedRootfs(state));
  const followsShell = before.historyIndex === null && before.command === shell(before);
  const command = followsShell ? shell(after) : after.command;
  const next = { ...after, command, commandDraft: followsShell ? command : after.commandDraft };
  return recheck(recheck(next, 'rootfs', strict), 'command');
}

function moveFocus(state: PickerState, step: number): PickerState {
  const count = PICKER_FIELDS.length;
  const index = (PICKER_FIELDS.indexOf(state.focus) + step + count) % count;
  return { ...state, focus: PICKER_FIELDS[index] };
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}

/** Up (-1) / Down (+1) in the focused field. */
function upDown(state: PickerState, step: -1 | 1): PickerState {
  switch (state.focus) {
    case 'rootfs': {
      // The last position, rootfsChoices.length, is the "type a path…" entry.
      // Another choice is another value: its check starts afresh.
      const rootfsIndex = clamp(state.rootfsIndex + step, 0, state.rootfsChoices.length);
      return onRootfsChange(state, { ...state, rootfsIndex }, false);
    }
    case 'command':
      return walkHistory(state, step);
    case 'memory':
    case 'hostname':
    case 'network':
    case 'volumes': {
      // Like a form: move to the field above or below, without wrapping.
      const index = clamp(PICKER_FIELDS.indexOf(state.focus) + step, 0, PICKER_FIELDS.length - 1);
      return { ...state, focus: PICKER_FIELDS[index] };
    }
    case 'lab':
      return { ...state, labIndex: clamp(state.labIndex + step, 0, state.labChoices.length) };
  }
}

/** Up: an older command; Down: a newer one, then back to the line being typed. */
function walkHistory(state: PickerState, step: -1 | 1): PickerState {
  const { commandHistory, historyIndex } = state;
  if (commandHistory.length === 0) return state;
  let next: number | null;
  // The first step up skips an entry the field already shows (after a run, its own command).
  const firstUp = commandHistory[0] === state.command ? Math.min(1, commandHistory.length - 1) : 0;
  if (step === -1) next = historyIndex === null ? firstUp : Math.min(historyIndex + 1, commandHistory.length - 1);
  else next = historyIndex === null || historyIndex === 0 ? null : historyIndex - 1;
  if (next === historyIndex) return state;
  const commandDraft = historyIndex === null ? state.command : state.commandDraft;
  const command = next === null ? commandDraft : commandHistory[next];
  return recheck({ ...state, historyIndex: next, commandDraft, command }, 'command');
}

/** The focused field's text, or null on the Labs list. On a listed rootfs choice, the typed path (typing there starts it). */
function focusedText(state: PickerState): string | null {
  switch (state.focus) {
    case 'rootfs':
      return state.typedRootfs;
    case 'command':
      return state.command;
    case 'memory':
      return state.memory;
    case 'hostname':
      return state.hostname;
    case 'network':
      return state.network;
    case 'volumes':
      return state.volumes;
    case 'lab':
      return null;
  }
}

/** An editing key (lineEditor.ts) in the focused field, or null when `key` is none. */
function editField(state: PickerState, key: string): PickerState | null {
  const text = focusedText(state);
  if (text === null) return null;
  const onListedRootfs = state.focus === 'rootfs' && state.rootfsIndex < state.rootfsChoices.length;
  // On a listed choice only typing does something: it starts the typed path (the choice is not text).
  const line = onListedRootfs ? lineOf(text) : { text, cursor: state.cursor ?? Array.from(text).length };
  const edited = editLineKey(line, key);
  if (edited === null) return null;
  if (onListedRootfs && !isPrintable(key)) return state;
  const next = { ...state, cursor: edited.cursor };
  switch (state.focus) {
    case 'rootfs':
      return onRootfsChange(state, { ...next, rootfsIndex: state.rootfsChoices.length, typedRootfs: edited.text });
    case 'command':
      // An edited history entry becomes the line being typed.
      return recheck({ ...next, command: edited.text, commandDraft: edited.text, historyIndex: null }, 'command');
    case 'memory':
      return recheck({ ...next, memory: edited.text }, 'memory');
    case 'volumes':
      return recheck({ ...next, volumes: edited.text }, 'volumes');
    case 'network':
      return recheck({ ...next, network: edited.text }, 'network');
    default:
      return recheck({ ...next, hostname: edited.text }, 'hostname');
  }
}

/** Enter: check every field strictly; submit when all are good, else show
 * the errors and focus the first bad field. */
function submit(state: PickerState): PickerResult {
  // On the Labs field with a lab chosen, Enter starts the lab, which brings its own container options.
  if (state.focus === 'lab' && state.labIndex > 0) return { state, lab: state.labChoices[state.labIndex - 1].id };
  const errors: PickerState['errors'] = {};
  for (const field of PICKER_FIELDS) {
    const error = fieldError(state, field, true);
    if (error !== undefined) errors[field] = error;
  }
  const firstBad = PICKER_FIELDS.find((field) => errors[field] !== undefined);
  if (firstBad) return { state: { ...state, errors, focus: firstBad } };
  const rootfs = selectedRootfs(state);
  const options: RunOptions = {
    // A typed path is made absolute so the history does not depend on the cwd.
    rootfs: state.rootfsIndex < state.rootfsChoices.length ? rootfs : path.resolve(rootfs),
    command: splitCommandLine(state.command),
    memory: state.memory.trim(),
    hostname: state.hostname,
    ...(state.network.trim() !== '' ? { network: checkNetwork(state.network.trim()) } : {}),
    ...withoutEmpty(volumesOf(splitCommandLine(state.volumes))),
  };
  return { state: { ...state, errors }, submit: options };
}

/** Only the lists that hold something: a run without volumes says nothing of them. */
function withoutEmpty({ volumes, tmpfs }: StorageOptions): StorageOptions {
  return { ...(volumes?.length ? { volumes } : {}), ...(tmpfs?.length ? { tmpfs } : {}) };
}

/** One keypress. Text fields edit as a shell's line does (lineEditor.ts); other unknown sequences are ignored. */
export function pickerKey(state: PickerState, key: string): PickerResult {
  const name = keyName(key);
  if (name === 'escape') return { state, cancel: true };
  if (name === 'ctrl-c') return { state, quit: true };
  if (name === 'enter') return submit(state);
  // Moving to another field or value puts the cursor at the end of what it shows.
  const cursorAtEnd = (next: PickerState) => (next === state ? state : { ...next, cursor: null });
  if (name === 'tab') return { state: cursorAtEnd(moveFocus(state, 1)) };
  if (name === 'shift-tab') return { state: cursorAtEnd(moveFocus(state, -1)) };
  if (name === 'up') return { state: cursorAtEnd(upDown(state, -1)) };
  if (name === 'down') return { state: cursorAtEnd(upDown(state, 1)) };
  return { state: editField(state, key) ?? state };
}
