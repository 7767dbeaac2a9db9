/** The footer line: the keys that work now, or the question being asked. Drawn
 * by Ink on full-screen views and by the pane painter beside the pane. */
import { bindingFor, Command, PREFIX_LABEL } from './keymap.js';
import { isRunning, type UiState } from './state.js';

export interface FooterPart {
  text: string;
  style?: 'key' | 'dim' | 'prompt' | 'cursor';
}

const COMMAND_KEYS: Command[] = [
  Command.Rerun, Command.EditCommand, Command.Stop, Command.NewRun, Command.HistoryUp, Command.Help, Command.Quit,
];
const SHORT: Partial<Record<Command, string>> = {
  [Command.Rerun]: 're-run', [Command.EditCommand]: 'edit', [Command.Stop]: 'stop', [Command.NewRun]: 'new',
  [Command.HistoryUp]: 'history', [Command.Help]: 'help', [Command.Quit]: 'quit',
};

const key = (label: string, text: string): FooterPart[] => [{ text: label, style: 'key' }, { text: ` ${text}  ` }];
const commandKeys = (): FooterPart[] => COMMAND_KEYS.flatMap((c) => key(bindingFor(c).label, SHORT[c]!));

export function footerParts(state: UiState): FooterPart[] {
  if (state.screen === 'picker') return key('Enter', 'start · Tab next field · Esc back');
  if (state.overlay === 'confirm-quit') return [{ text: 'A container is running: stop it and quit? (y/n)', style: 'prompt' }];
  if (state.overlay === 'edit-command') {
    return [{ text: 'command:', style: 'prompt' }, { text: ` ${state.editLine}` }, { text: ' ', style: 'cursor' }];
  }
  if (state.prefixArmed) return [{ text: `${PREFIX_LABEL} `, style: 'prompt' }, ...commandKeys(), ...key(PREFIX_LABEL, `send ${PREFIX_LABEL}`)];
  if (isRunning(state) && state.overlay === 'none') {
    return [{ text: 'keys go to the container · ', style: 'dim' }, ...key(PREFIX_LABEL, 'then a command key (? for all)')];
  }
  return [...commandKeys(), ...key('Enter', 'run selected')];
}
