/**
 * Commands and the keys that trigger them. While the terminal pane has focus
 * every key goes to the container except the prefix key; after the prefix,
 * or once the container has exited, keys are commands. Keys are raw
 * sequences as keys.ts names them (a binding lists a name's first).
 */
import { keyName, sequenceOf } from './keys.js';

export enum Command {
  Rerun = 'rerun',
  RerunOnChanges = 'rerun-on-changes',
  EditCommand = 'edit-command',
  Stop = 'stop',
  NewRun = 'new-run',
  HistoryUp = 'history-up',
  HistoryDown = 'history-down',
  RunSelected = 'run-selected',
  Help = 'help',
  Quit = 'quit',
  Redraw = 'redraw',
  ScrollBack = 'scroll-back',
  Record = 'record',
  Suspend = 'suspend',
  TogglePanels = 'toggle-panels',
  Exec = 'exec',
  SwitchTerminal = 'switch-terminal',
  /** The prefix pressed twice: send it to the container. */
  SendPrefix = 'send-prefix',
  Cancel = 'cancel',
  LabType = 'lab-type',
  LabNext = 'lab-next',
  LabPrevious = 'lab-previous',
  LabRestart = 'lab-restart',
  LabLeave = 'lab-leave',
}

/** The commands that only mean something while a lab is followed. */
export const LAB_COMMANDS: readonly Command[] = [Command.LabType, Command.LabNext, Command.LabPrevious, Command.LabRestart, Command.LabLeave];

export const PAGE_UP = sequenceOf('page-up');
export const SHIFT_PAGE_UP = sequenceOf('shift-page-up');
export const SHIFT_PAGE_DOWN = sequenceOf('shift-page-down');

export type ScrollMove = 'page-up' | 'page-down' | 'line-up' | 'line-down' | 'top' | 'bottom';

const SCROLL_MOVES: ReadonlyMap<string, ScrollMove> = new Map<string, ScrollMove>([
  ['page-up', 'page-up'],
  ['shift-page-up', 'page-up'],
  ['up', 'line-up'],
  ['k', 'line-up'],
  ['page-down', 'page-down'],
  ['shift-page-down', 'page-down'],
  ['down', 'line-down'],
  ['j', 'line-down'],
  ['g', 'top'],
  ['home', 'top'],
  ['G', 'bottom'],
  ['end', 'bottom'],
]);

/** While the pane shows its history (scrolled back): how far `key` moves it; null for any other key, which goes back to the
 * live screen. */
export function scrollMoveFor(key: string): ScrollMove | null {
  return SCROLL_MOVES.get(keyName(key) ?? key) ?? null;
}

/** Ctrl-]: bound by no shell, tmux (C-b) or screen (C-a); the telnet escape. */
export const PREFIX_KEY = sequenceOf('ctrl-]');
export const PREFIX_LABEL = 'Ctrl-]';

export interface Binding {
  command: Command;
  /** Raw input sequences that trigger it. */
  keys: string[];
  /** How the key is shown: "r", "↑/h". */
  label: string;
  description: string;
}

export const BINDINGS: readonly Binding[] = [
  { command: Command.Rerun, keys: ['r'], label: 'r', description: 're-run the same command on the same rootfs, afresh' },
  { command: Command.RerunOnChanges, keys: ['c'], label: 'c', description: 're-run on the files the last run left (its changes kept)' },
  { command: Command.EditCommand, keys: ['e'], label: 'e', description: 'edit the command, then run it' },
  { command: Command.Stop, keys: ['k'], label: 'k', description: 'stop (SIGTERM, then SIGKILL after 10 s)' },
  { command: Command.NewRun, keys: ['n'], label: 'n', description: 'new run: back to the picker' },
  { command: Command.HistoryUp, keys: ['h', sequenceOf('up')], label: 'h/↑', description: 'select an earlier run in the history' },
  { command: Command.HistoryDown, keys: ['l', sequenceOf('down')], label: 'l/↓', description: 'select a later run in the history' },
  { command: Command.RunSelected, keys: [sequenceOf('enter')], label: 'Enter', description: 're-run the selected history entry' },
  {
    command: Command.ScrollBack,
    keys: [PAGE_UP, SHIFT_PAGE_UP],
    label: 'PgUp',
    description: 'scroll back through the output (also Shift-PgUp at any time)',
  },
  { command: Command.Record, keys: ['w'], label: 'w', description: 'record the pane to an asciicast file, or stop recording' },
  { command: Command.Help, keys: ['?'], label: '?', description: 'show or hide all keys' },
  { command: Command.Quit, keys: ['q'], label: 'q', description: 'quit (asks first while a container runs)' },
  { command: Command.Redraw, keys: [sequenceOf('ctrl-l')], label: 'Ctrl-L', description: 'redraw the screen' },
  { command: Command.Exec, keys: ['x'], label: 'x', description: 'a second shell in the running container (exec), shown in the pane' },
  { command: Command.SwitchTerminal, keys: ['o'], label: 'o', description: "switch the pane between the container's terminal and the exec shell" },
  { command: Command.TogglePanels, keys: ['p'], label: 'p', description: 'panels: a column beside the pane, or a status bar above it' },
  { command: Command.Suspend, keys: ['z', sequenceOf('ctrl-z')], label: 'z', description: 'suspend the UI (fg brings it back)' },
  { command: Command.SendPrefix, keys: [PREFIX_KEY], label: PREFIX_LABEL, description: `send ${PREFIX_LABEL} itself to the container` },
  { command: Command.Cancel, keys: [sequenceOf('escape')], label: 'Esc', description: 'close help, cancel' },
  { command: Command.LabType, keys: ['t'], label: 't', description: 'lab: type the suggested command (then press Enter)' },
  { command: Command.LabNext, keys: [']'], label: ']', description: 'lab: next step' },
  { command: Command.LabPrevious, keys: ['['], label: '[', description: 'lab: previous step' },
  { command: Command.LabRestart, keys: ['R'], label: 'R', description: 'lab: this step again in a fresh container' },
  { command: Command.LabLeave, keys: ['L'], label: 'L', description: 'lab: leave it (progress is kept)' },
];

const BY_KEY = new Map(BINDINGS.flatMap((b) => b.keys.map((key) => [key, b.command] as const)));

/** The command a key triggers in command mode, if any. */
export function commandForKey(input: string): Command | null {
  const name = keyName(input);
  return BY_KEY.get(name ? sequenceOf(name) : input) ?? null;
}

export function bindingFor(command: Command): Binding {
  return BINDINGS.find((b) => b.command === command)!;
}
