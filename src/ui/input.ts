/**
 * Routes raw key input. In the run view, while the container runs, every
 * byte goes to it except the prefix key; after the prefix (one command), or
 * once the container has exited, keys are commands (see keymap.ts).
 */
import { keyName } from './keys.js';
import { Command, commandForKey, LAB_COMMANDS, PREFIX_KEY, scrollMoveFor, SHIFT_PAGE_DOWN, SHIFT_PAGE_UP, type ScrollMove } from './keymap.js';
import { joinCommandLine, splitCommandLine } from './commandLine.js';
import { editLineKey, lineOf } from './lineEditor.js';
import { pickerKey } from './picker.js';
import { currentRun, isRunning, selectedPastRun, type HistorySearch, type UiAction, type UiState } from './state.js';
import type { RunOptions } from './types.js';

/** What input can make happen, besides state changes. */
export interface InputActions {
  dispatch(action: UiAction): void;
  sendToContainer(keys: string): void;
  run(options: RunOptions): void;
  stop(): void;
  quit(): void;
  redraw(): void;
  /** Show the panel column, or the status bar in its place (Ctrl-] p). */
  togglePanels(): void;
  /** Open a shell in the running container, or show the one open (Ctrl-] x). */
  exec(): void;
  suspend(): void;
  /** One of the lab commands (keymap.ts LAB_COMMANDS), while a lab is followed. */
  lab(command: Command): void;
  /** Start a lab chosen in the picker. */
  openLab(id: string): void;
  /** Move the pane's view through its history; returns how many lines back it then is (0: live). */
  scroll(move: ScrollMove): number;
  /** Start recording the pane, or stop the recording. */
  toggleRecording(): void;
  /** Scroll to the next line of the history holding `text`: how many lines back it then is, or null if there is none. */
  find(text: string, direction: 'older' | 'newer'): number | null;
  /** Copy what the pane shows to the clipboard of the person's terminal (OSC 52). */
  copyView(): void;
  /** A click, drag or wheel turn reported by the person's terminal (the UI asks for them: see main.tsx). */
  mouse(event: MouseReport): void;
}

/** A mouse report in SGR form (ESC [ < button ; col ; row M, or m on release), at 1-based terminal cells. */
export interface MouseReport {
  /** 0-2 the buttons, +32 while moving, 64/65 the wheel up/down; +4/+8/+16 Shift/Alt/Ctrl. */
  button: number;
  col: number;
  row: number;
  release: boolean;
}

const MOUSE_PREFIX = '\x1b[<';
const MOUSE_REPORT = /^\x1b\[<(\d+);(\d+);(\d+)([Mm])$/;

/** A mouse report's fields, or null for any other key. */
export function parseMouse(key: string): MouseReport | null {
  const match = MOUSE_REPORT.exec(key);
  if (!match) return null;
  return { button: Number(match[1]), col: Number(match[2]), row: Number(match[3]), release: match[4] === 'm' };
}

/** Split raw input into single keys: escape sequences stay whole. */
export function splitKeys(input: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < input.length;) {
    let end = i + 1;
    if (input[i] === '\x1b' && i + 1 < input.length) {
      if (input[i + 1] === '[') {
        end = i + 2;
        while (end < input.length && !/[\x40-\x7e]/.test(input[end])) end++;
        end++;
      } else {
        end = input[i + 1] === 'O' ? i + 3 : i + 2;
      }
    } else if (input.codePointAt(i)! > 0xffff) {
      end = i + 2;
    }
    keys.push(input.slice(i, Math.min(end, input.length)));
    i = end;
  }
  return keys;
}

/** Keys less than this far apart are one burst of typing. */
export const TYPING_PAUSE_MS = 750;

/**
 * Bursts of typing (keys less than TYPING_PAUSE_MS apart): a burst that went
 * to the container is typing ahead meant for it ("exit⏎ls -la⏎"), so once
 * the container has exited its keys never become commands. A pause ends it.
 */
export class TypingBursts {
  private lastKeyAt = Number.NEGATIVE_INFINITY;
  /** Keys of the current burst went to the container. */
  wentToContainer = false;

  /** Keys typed at `now`. */
  typed(now: number): void {
    if (now - this.lastKeyAt >= TYPING_PAUSE_MS) this.wentToContainer = false;
    this.lastKeyAt = now;
  }
}

/**
 * Handle one chunk of raw input, typed at `now` (`bursts` keeps the typing
 * before it); the state is read afresh for every key, as each may change it.
 */
export function handleInput(input: string, getState: () => UiState, actions: InputActions, bursts = new TypingBursts(), now = Date.now()): void {
  bursts.typed(now);
  let rest = input;
  while (rest.length > 0) {
    const [report] = rest.startsWith(MOUSE_PREFIX) ? splitKeys(rest.slice(0, 32)) : [];
    const mouse = report ? parseMouse(report) : null;
    if (mouse) {
      rest = rest.slice(report!.length);
      actions.mouse(mouse);
      continue;
    }
    const state = getState();
    if (isScrolledBack(state)) {
      const [key] = splitKeys(rest);
      rest = rest.slice(key.length);
      if (state.search?.typing) {
        searchKey(key, state.search, actions);
        continue;
      }
      // A "not found" note goes with the next key, which does what it does.
      if (state.search) actions.dispatch({ type: 'search', search: null });
      const move = scrollMoveFor(key);
      if (key === '/') actions.dispatch({ type: 'search', search: { query: lineOf(''), typing: true, found: true } });
      else if (key === 'y') actions.copyView();
      else if ((key === 'n' || key === 'N') && state.lastSearch) find(state.lastSearch, key === 'n' ? 'older' : 'newer', actions);
      else {
        actions.dispatch({ type: 'scrolled', lines: actions.scroll(move ?? 'bottom') });
        // q and Esc only leave the history; any other key goes on to the live screen, as typing does in a terminal.
        if (!move && key !== 'q' && keyName(key) !== 'escape') rest = key + rest;
      }
      continue;
    }
    if (passesThrough(state) && !state.prefixArmed) {
      const [at, intercepted] = firstIntercepted(rest);
      if (at !== 0) bursts.wentToContainer = true;
      // Typing goes to the live screen: a past run's shown in its place gives way.
      if (at !== 0 && selectedPastRun(state)) actions.dispatch({ type: 'select-history', delta: state.runs.length });
      if (at < 0) return actions.sendToContainer(rest);
      if (at > 0) actions.sendToContainer(rest.slice(0, at));
      if (intercepted === MOUSE_PREFIX) {
        // Handled at the loop's top; one that is not a whole report goes to the container as typed.
        if (at === 0) actions.sendToContainer(MOUSE_PREFIX);
        rest = rest.slice(at === 0 ? MOUSE_PREFIX.length : at);
        continue;
      }
      rest = rest.slice(at + intercepted.length);
      if (intercepted === PREFIX_KEY) actions.dispatch({ type: 'prefix', armed: true });
      else actions.dispatch({ type: 'scrolled', lines: actions.scroll(scrollMoveFor(intercepted)!) });
      continue;
    }
    const [key] = splitKeys(rest);
    rest = rest.slice(key.length);
    if (bursts.wentToContainer && isTypingAhead(state)) {
      if (key === PREFIX_KEY) actions.dispatch({ type: 'prefix', armed: true });
      else actions.dispatch({ type: 'ignored-keys', keys: state.ignoredKeys + key });
      continue;
    }
    if (state.prefixArmed) actions.dispatch({ type: 'prefix', armed: false });
    if (state.ignoredKeys) actions.dispatch({ type: 'ignored-keys', keys: '' });
    if (state.notice) actions.dispatch({ type: 'notice', text: null });
    handleKey(key, state, actions);
  }
}

/** A key while a search in the history is typed (after `/`): the line editor's, Enter searches, Esc gives up. */
function searchKey(key: string, search: HistorySearch, actions: InputActions): void {
  const name = keyName(key);
  if (name === 'escape' || (name === 'enter' && !search.query.text)) return actions.dispatch({ type: 'search', search: null });
  if (name === 'enter') return find(search.query.text, 'older', actions);
  const query = editLineKey(search.query, key);
  if (query) actions.dispatch({ type: 'search', search: { ...search, query } });
}

/** Scroll to the next line holding `text` in `direction`; the footer says when there is none. */
function find(text: string, direction: 'older' | 'newer', actions: InputActions): void {
  const lines = actions.find(text, direction);
  if (lines === null) return actions.dispatch({ type: 'search', search: { query: lineOf(text), typing: false, found: false }, lastSearch: text });
  actions.dispatch({ type: 'search', search: null, lastSearch: text });
  actions.dispatch({ type: 'scrolled', lines });
}

/** Keys taken from the container's input even while it runs: the prefix, Shift-PgUp/PgDn (scrolling), and mouse reports. */
const INTERCEPTED = [PREFIX_KEY, SHIFT_PAGE_UP, SHIFT_PAGE_DOWN, MOUSE_PREFIX];

/** Where in `input` the first intercepted key is, and which; -1 for none. */
function firstIntercepted(input: string): [number, string] {
  let first: [number, string] = [-1, ''];
  for (const key of INTERCEPTED) {
    const at = input.indexOf(key);
    if (at >= 0 && (first[0] < 0 || at < first[0])) first = [at, key];
  }
  return first;
}

/** The pane shows its history: keys scroll it (scrollMoveFor) until one goes back to the live screen. */
function isScrolledBack(state: UiState): boolean {
  return state.screen === 'run' && state.overlay === 'none' && !state.prefixArmed && state.scrolledBack > 0;
}

/** Keys of a burst that went to the container are typing ahead once it has exited (see TypingBursts); after the prefix a key is a command. */
function isTypingAhead(state: UiState): boolean {
  return state.screen === 'run' && state.overlay === 'none' && !state.prefixArmed && currentRun(state)?.phase === 'exited';
}

function passesThrough(state: UiState): boolean {
  return state.screen === 'run' && state.overlay === 'none' && isRunning(state);
}

function handleKey(key: string, state: UiState, actions: InputActions): void {
  if (state.overlay === 'confirm-quit') {
    if (key === 'y' || key === 'Y') actions.quit();
    else actions.dispatch({ type: 'overlay', overlay: 'none' });
    return;
  }
  if (state.overlay === 'confirm-run') {
    if ((key === 'y' || key === 'Y') && state.pendingRun) actions.run(state.pendingRun);
    else actions.dispatch({ type: 'overlay', overlay: 'none' });
    return;
  }
  if (state.overlay === 'help') return actions.dispatch({ type: 'overlay', overlay: 'none' });
  if (state.overlay === 'edit-command') return editCommandKey(key, state, actions);
  if (state.screen === 'picker') {
    const result = pickerKey(state.picker, key);
    actions.dispatch({ type: 'picker', picker: result.state });
    if (result.submit) requestRun(result.submit, state, actions);
    else if (result.lab) actions.openLab(result.lab);
    // Esc goes back to the run, never out of the program (it also ends typing); Ctrl-C quits.
    else if (result.cancel && state.runs.length > 0) actions.dispatch({ type: 'screen', screen: 'run' });
    else if (result.quit) runCommand(Command.Quit, state, actions);
    return;
  }
  const command = commandForKey(key);
  if (command && LAB_COMMANDS.includes(command)) {
    if (state.lab) actions.lab(command);
  } else if (command) {
    runCommand(command, state, actions);
  }
}

/** Start `options` now, or, while a container runs (it would be killed), once the person says yes.
 * Afresh, unless `onLastChanges`: on the files the run before left. */
function requestRun(given: RunOptions, state: UiState, actions: InputActions, onLastChanges = false): void {
  const { onLastChanges: _, ...fresh } = given;
  const options = onLastChanges ? { ...fresh, onLastChanges } : fresh;
  if (isRunning(state)) actions.dispatch({ type: 'confirm-run', options });
  else actions.run(options);
}

function runCommand(command: Command, state: UiState, actions: InputActions): void {
  const run = currentRun(state);
  switch (command) {
    case Command.Rerun:
      if (run) requestRun(run.options, state, actions);
      return;
    case Command.RerunOnChanges:
      if (run) requestRun(run.options, state, actions, true);
      return;
    case Command.EditCommand:
      if (!run) return;
      actions.dispatch({ type: 'edit-line', line: lineOf(joinCommandLine(run.options.command)) });
      return actions.dispatch({ type: 'overlay', overlay: 'edit-command' });
    case Command.Stop:
      return actions.stop();
    case Command.NewRun:
      return actions.dispatch({ type: 'screen', screen: 'picker' });
    case Command.HistoryUp:
      return actions.dispatch({ type: 'select-history', delta: -1 });
    case Command.HistoryDown:
      return actions.dispatch({ type: 'select-history', delta: 1 });
    case Command.RunSelected: {
      const selected = state.runs[state.selectedHistory ?? state.runs.length - 1];
      if (selected) requestRun(selected.options, state, actions);
      return;
    }
    case Command.Help:
      return actions.dispatch({ type: 'overlay', overlay: 'help' });
    case Command.Quit:
      if (isRunning(state)) return actions.dispatch({ type: 'overlay', overlay: 'confirm-quit' });
      return actions.quit();
    case Command.Redraw:
      return actions.redraw();
    case Command.Record:
      return actions.toggleRecording();
    case Command.ScrollBack:
      return actions.dispatch({ type: 'scrolled', lines: actions.scroll('page-up') });
    case Command.Suspend:
      return actions.suspend();
    case Command.TogglePanels:
      return actions.togglePanels();
    case Command.Exec:
      return actions.exec();
    case Command.SwitchTerminal:
      if (!state.exec) return;
      actions.dispatch({ type: 'exec-shown', shown: !state.exec.shown });
      // The terminal switched to shows its live screen, as the state now says (it may have been left scrolled back).
      return actions.dispatch({ type: 'scrolled', lines: actions.scroll('bottom') });
    case Command.SendPrefix:
      if (isRunning(state)) actions.sendToContainer(PREFIX_KEY);
      return;
    default:
      return; // Cancel: nothing to cancel here; the lab commands are handled above
  }
}

/** The command after `e`, edited as a shell's line (lineEditor.ts): Enter runs it, Esc cancels. */
function editCommandKey(key: string, state: UiState, actions: InputActions): void {
  const run = currentRun(state);
  if (keyName(key) === 'escape') return actions.dispatch({ type: 'overlay', overlay: 'none' });
  if (keyName(key) === 'enter') {
    let command: string[];
    try {
      command = splitCommandLine(state.editLine.text);
    } catch {
      return; // an unclosed quote: keep editing
    }
    if (run && command.length > 0) requestRun({ ...run.options, command }, state, actions);
    return;
  }
  const line = editLineKey(state.editLine, key);
  if (line) actions.dispatch({ type: 'edit-line', line });
}
