/** The footer line: the keys that work now, or the question being asked. Drawn
 * by Ink on full-screen views and by the pane painter beside the pane. */
import { bindingFor, Command, LAB_COMMANDS, PREFIX_LABEL } from './keymap.js';
import type { EditLine } from './lineEditor.js';
import { isRunning, type UiState } from './state.js';

export interface FooterPart {
  text: string;
  style?: 'key' | 'dim' | 'prompt' | 'cursor';
}

const COMMAND_KEYS: Command[] = [
  Command.Rerun,
  Command.RerunOnChanges,
  Command.EditCommand,
  Command.Stop,
  Command.NewRun,
  Command.HistoryUp,
  Command.Help,
  Command.Quit,
];
const SHORT: Partial<Record<Command, string>> = {
  [Command.Rerun]: 're-run',
  [Command.RerunOnChanges]: 'on changes',
  [Command.EditCommand]: 'edit',
  [Command.Stop]: 'stop',
  [Command.NewRun]: 'new',
  [Command.HistoryUp]: 'history',
  [Command.Help]: 'help',
  [Command.Quit]: 'quit',
};

const LAB_KEYS: Partial<Record<Command, string>> = {
  [Command.LabType]: 'type',
  [Command.LabNext]: 'next',
  [Command.LabPrevious]: 'back',
  [Command.LabRestart]: 'restart',
  [Command.LabLeave]: 'leave lab',
};

const key = (label: string, text: string): FooterPart[] => [{ text: label, style: 'key' }, { text: ` ${text}  ` }];
/** The command keys, the lab's first while one is followed. */
const commandKeys = (state: UiState): FooterPart[] => [
  ...(state.lab ? LAB_COMMANDS.flatMap((c) => key(bindingFor(c).label, LAB_KEYS[c]!)) : []),
  ...COMMAND_KEYS.flatMap((c) => key(bindingFor(c).label, SHORT[c]!)),
];

/** A prompt and the line being typed after it, the cursor on the character it is before (a block at the end). */
function lineBeingEdited(prompt: string, line: EditLine): FooterPart[] {
  const chars = Array.from(line.text);
  return [
    { text: prompt, style: 'prompt' },
    { text: ` ${chars.slice(0, line.cursor).join('')}` },
    { text: chars[line.cursor] ?? ' ', style: 'cursor' },
    { text: chars.slice(line.cursor + 1).join('') },
  ];
}

export function footerParts(state: UiState): FooterPart[] {
  const parts = partsForState(state);
  return state.notice && state.screen === 'run' && state.overlay === 'none' ? [{ text: `${state.notice} · `, style: 'prompt' }, ...parts] : parts;
}

function partsForState(state: UiState): FooterPart[] {
  if (state.overlay === 'confirm-quit') return [{ text: 'A container is running: stop it and quit? (y/n)', style: 'prompt' }];
  if (state.overlay === 'confirm-run') return [{ text: 'A container is running: stop it and start the new run? (y/n)', style: 'prompt' }];
  if (state.screen === 'picker') {
    return [...key('Enter', 'start · Tab next field'), ...(state.runs.length > 0 ? key('Esc', 'back') : []), ...key('Ctrl-C', 'quit')];
  }
  if (state.overlay === 'edit-command') return lineBeingEdited('command:', state.editLine);
  if (state.screen === 'run' && state.overlay === 'none' && state.scrolledBack > 0 && !state.prefixArmed) {
    const { search } = state;
    if (search?.typing) return [...lineBeingEdited('search back for:', search.query), { text: '  ' }, ...key('Enter', 'find · Esc cancel')];
    const notFound = search && !search.found ? [{ text: `"${search.query.text}" not found · `, style: 'prompt' as const }] : [];
    return [
      ...notFound,
      { text: `history: ${state.scrolledBack} lines back · `, style: 'prompt' },
      ...key('PgUp/PgDn ↑/↓', 'scroll ·'),
      ...key('g/G', 'top/bottom ·'),
      ...key('/', 'search, n/N again ·'),
      ...key('y', 'copy the view ·'),
      ...key('q', 'back to the live screen (any key types there)'),
    ];
  }
  if (state.prefixArmed) return [{ text: `${PREFIX_LABEL} `, style: 'prompt' }, ...commandKeys(state), ...key(PREFIX_LABEL, `send ${PREFIX_LABEL}`)];
  if (isRunning(state) && state.overlay === 'none') {
    const labHint = state.lab ? key(`${PREFIX_LABEL} t`, "types the lab's command ·") : [];
    if (state.exec?.shown) {
      return [
        { text: 'keys go to the exec shell · ', style: 'dim' },
        ...key(`${PREFIX_LABEL} o`, "the container's terminal ·"),
        ...key(PREFIX_LABEL, 'then a command key (? for all)'),
      ];
    }
    return [{ text: 'keys go to the container · ', style: 'dim' }, ...labHint, ...key(PREFIX_LABEL, 'then a command key (? for all)')];
  }
  const ignored = state.ignoredKeys
    ? [{ text: `ignored what was typed as it exited (${visibleKeys(state.ignoredKeys)}) · `, style: 'dim' as const }]
    : [];
  return [...ignored, ...commandKeys(state), ...key('Enter', 'run selected')];
}

/** Typed keys as a person reads them: Enter as ⏎, other control keys and escape sequences as ·. */
function visibleKeys(keys: string): string {
  const shown = keys.replace(/\r/g, '⏎').replace(/\x1b(\[[0-9;]*.|O.)?|[\x00-\x1f\x7f]/g, '·');
  return shown.length > 20 ? `…${shown.slice(-19)}` : shown;
}
