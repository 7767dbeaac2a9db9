/** The UI's state and the typed actions that change it. No side effects here. */
import type { ExitStatus } from '../runtime/container.js';
import type { LayoutOptions } from './layout.js';
import { lineOf, type EditLine } from './lineEditor.js';
import { pickerAfterRun, type PickerState } from './picker.js';
import type { LabView, LiveStats, RunOptions, RunRecord, Sample, StartedAs } from './types.js';

export type Screen = 'picker' | 'run';
export type Overlay = 'none' | 'help' | 'confirm-quit' | 'confirm-run' | 'edit-command';

/** The memory sparkline covers this much time, up to now. */
export const MEMORY_WINDOW_MS = 60_000;

export interface UiState {
  screen: Screen;
  overlay: Overlay;
  /** Every run of this session, oldest first; the last is the current one. */
  runs: RunRecord[];
  /** Latest poll of the current run. */
  stats: LiveStats | null;
  /** memory.current of the current run as it changed, oldest first: the last minute, and the reading before it. */
  memorySamples: Sample[];
  /** The prefix key was pressed: the next key is a command. */
  prefixArmed: boolean;
  /** Index into runs chosen with h/l, or null for the current run. */
  selectedHistory: number | null;
  picker: PickerState;
  /** The command line being edited after `e`. */
  editLine: EditLine;
  /** The guided lab being followed, or null. */
  lab: LabView | null;
  /** Keys typed ahead for the container that had just exited (see input.ts): ignored, and the footer says so. */
  ignoredKeys: string;
  /** The run asked for while a container runs: it starts once the person says yes (overlay confirm-run). */
  pendingRun: RunOptions | null;
  /** Lines the pane's view is back in its history; 0: the live screen. */
  scrolledBack: number;
  /** The asciicast file the pane is being recorded to, or null. */
  recording: string | null;
  /** A search in the history: being typed after `/`, or one that found nothing (any key clears it). */
  search: HistorySearch | null;
  /** What the last search looked for: n and N look again. */
  lastSearch: string;
  /** The panel column shown or hidden by Ctrl-] p; null: by the terminal's width (layout.ts). */
  panels: boolean | null;
  /** A word on what just happened ("copied…"), in the footer until the next key. */
  notice: string | null;
  /** A shell exec'd into the running container (Ctrl-] x), shown in the pane or not (Ctrl-] o). */
  exec: { command: string[]; shown: boolean } | null;
}

export interface HistorySearch {
  query: EditLine;
  typing: boolean;
  found: boolean;
}

export type UiAction =
  | { type: 'run-requested'; options: RunOptions; at: number }
  | { type: 'run-started'; seq: number; id: string; hostPid: number; started: StartedAs }
  | { type: 'run-exited'; seq: number; status: ExitStatus; at: number }
  | { type: 'run-stopping'; seq: number; killAt: number }
  | { type: 'confirm-run'; options: RunOptions }
  | { type: 'scrolled'; lines: number }
  | { type: 'recording'; file: string | null }
  | { type: 'search'; search: HistorySearch | null; lastSearch?: string }
  | { type: 'stats'; seq: number; stats: LiveStats }
  | { type: 'prefix'; armed: boolean }
  | { type: 'overlay'; overlay: Overlay }
  | { type: 'select-history'; delta: number }
  | { type: 'screen'; screen: Screen }
  | { type: 'picker'; picker: PickerState }
  | { type: 'edit-line'; line: EditLine }
  | { type: 'lab'; lab: LabView | null }
  | { type: 'ignored-keys'; keys: string }
  | { type: 'panels'; shown: boolean }
  | { type: 'notice'; text: string | null }
  | { type: 'exec-opened'; command: string[] }
  | { type: 'exec-shown'; shown: boolean }
  | { type: 'exec-closed'; code: number };

export function initialState(picker: PickerState, screen: Screen): UiState {
  return {
    screen,
    overlay: 'none',
    runs: [],
    stats: null,
    memorySamples: [],
    prefixArmed: false,
    selectedHistory: null,
    picker,
    editLine: lineOf(''),
    lab: null,
    ignoredKeys: '',
    pendingRun: null,
    scrolledBack: 0,
    recording: null,
    search: null,
    lastSearch: '',
    panels: null,
    notice: null,
    exec: null,
  };
}

/** What the screen's layout depends on besides the terminal's size. */
export function layoutOptionsOf(state: UiState): LayoutOptions {
  return { panels: state.panels, lab: state.lab !== null };
}

/** The samples of the memory window before `now`, and the last one before it: its value holds into the window. */
function recentSamples(samples: Sample[], now: number): Sample[] {
  const first = samples.findIndex((sample) => sample.at > now - MEMORY_WINDOW_MS);
  return first === -1 ? samples.slice(-1) : samples.slice(Math.max(0, first - 1));
}

export function currentRun(state: UiState): RunRecord | null {
  return state.runs[state.runs.length - 1] ?? null;
}

/** A run before the current one, picked in the history (h/↑): its details and last screen are shown. */
export function selectedPastRun(state: UiState): RunRecord | null {
  const { selectedHistory, runs } = state;
  return selectedHistory !== null && selectedHistory < runs.length - 1 ? (runs[selectedHistory] ?? null) : null;
}

export function isRunning(state: UiState): boolean {
  const run = currentRun(state);
  return run !== null && run.phase !== 'exited';
}

function updateRun(state: UiState, seq: number, change: Partial<RunRecord>): RunRecord[] {
  return state.runs.map((run) => (run.seq === seq ? { ...run, ...change } : run));
}

/** What of the figures changes the panels' layout or their fixed lines (the others are live lines: see LiveText). */
function figuresShape(state: UiState): string {
  const { stats } = state;
  if (!stats) return 'none';
  const { memory, pids, hostname, network } = stats;
  return JSON.stringify([
    memory && memory.limit,
    memory === null,
    pids && pids.limit,
    pids === null,
    hostname,
    network.mode,
    network.bridge,
    network.ports,
    network.interfaces.map((i) => i.name),
    state.memorySamples.length > 0,
  ]);
}

/** `next` draws as `drawn` does but for figures that live lines read for themselves (memory, processes, bytes, samples). */
export function sameFrame(drawn: UiState, next: UiState): boolean {
  if (drawn === next) return true;
  for (const key of Object.keys(next) as (keyof UiState)[]) {
    if (key !== 'stats' && key !== 'memorySamples' && next[key] !== drawn[key]) return false;
  }
  return figuresShape(drawn) === figuresShape(next);
}

export function uiReducer(state: UiState, action: UiAction): UiState {
  switch (action.type) {
    case 'run-requested': {
      const run: RunRecord = {
        seq: state.runs.length + 1,
        options: action.options,
        phase: 'starting',
        id: null,
        hostPid: null,
        startedAt: action.at,
        endedAt: null,
        status: null,
        killAt: null,
        started: null,
      };
      return {
        ...state,
        screen: 'run',
        overlay: 'none',
        runs: [...state.runs, run],
        stats: null,
        memorySamples: [],
        prefixArmed: false,
        selectedHistory: null,
        picker: pickerAfterRun(state.picker, action.options),
        ignoredKeys: '',
        pendingRun: null,
        scrolledBack: 0,
      };
    }
    case 'run-started':
      return { ...state, runs: updateRun(state, action.seq, { phase: 'running', id: action.id, hostPid: action.hostPid, started: action.started }) };
    case 'run-stopping':
      return { ...state, runs: updateRun(state, action.seq, { killAt: action.killAt }) };
    case 'search':
      return { ...state, search: action.search, lastSearch: action.lastSearch ?? state.lastSearch };
    case 'recording':
      return { ...state, recording: action.file };
    case 'scrolled':
      return { ...state, scrolledBack: action.lines, ...(action.lines === 0 ? { search: null } : {}) };
    case 'confirm-run':
      return { ...state, overlay: 'confirm-run', pendingRun: action.options, prefixArmed: false };
    case 'run-exited':
      return { ...state, runs: updateRun(state, action.seq, { phase: 'exited', status: action.status, endedAt: action.at }) };
    case 'stats': {
      if (currentRun(state)?.seq !== action.seq) return state;
      const current = action.stats.memory?.current;
      const memorySamples =
        current === undefined
          ? state.memorySamples
          : recentSamples([...state.memorySamples, { at: action.stats.at, value: current }], action.stats.at);
      return { ...state, stats: action.stats, memorySamples };
    }
    case 'prefix':
      return { ...state, prefixArmed: action.armed };
    case 'overlay':
      return { ...state, overlay: action.overlay, prefixArmed: false, pendingRun: null };
    case 'select-history': {
      if (state.runs.length === 0) return state;
      const from = state.selectedHistory ?? state.runs.length - 1;
      const selected = Math.min(state.runs.length - 1, Math.max(0, from + action.delta));
      return { ...state, selectedHistory: selected };
    }
    case 'screen':
      return { ...state, screen: action.screen, overlay: 'none', prefixArmed: false };
    case 'picker':
      return { ...state, picker: action.picker };
    case 'edit-line':
      return { ...state, editLine: action.line };
    case 'lab':
      return { ...state, lab: action.lab };
    case 'ignored-keys':
      return { ...state, ignoredKeys: action.keys };
    case 'panels':
      return { ...state, panels: action.shown, prefixArmed: false };
    case 'notice':
      return { ...state, notice: action.text };
    case 'exec-opened':
      return { ...state, exec: { command: action.command, shown: true }, scrolledBack: 0, search: null };
    case 'exec-shown':
      return state.exec ? { ...state, exec: { ...state.exec, shown: action.shown }, scrolledBack: 0, search: null } : state;
    case 'exec-closed':
      return { ...state, exec: null, scrolledBack: 0, search: null, notice: `the exec shell ended (exit ${action.code})` };
  }
}
