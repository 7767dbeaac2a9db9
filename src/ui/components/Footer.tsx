import { Box, Text } from 'ink';
import { memo } from 'react';
import { bindingFor, Command, PREFIX_LABEL } from '../keymap.js';

export type FooterMode = 'passthrough' | 'prefix' | 'commands' | 'picker' | 'prompt';

const COMMAND_KEYS: Command[] = [
  Command.Rerun, Command.EditCommand, Command.Stop, Command.NewRun, Command.HistoryUp, Command.Help, Command.Quit,
];
const SHORT: Partial<Record<Command, string>> = {
  [Command.Rerun]: 're-run', [Command.EditCommand]: 'edit', [Command.Stop]: 'stop', [Command.NewRun]: 'new',
  [Command.HistoryUp]: 'history', [Command.Help]: 'help', [Command.Quit]: 'quit',
};

function Key({ label, text }: { label: string; text: string }) {
  return (
    <Text>
      <Text bold color="cyan">{label}</Text> {text}{'  '}
    </Text>
  );
}

/** The keys that work now, always on screen. */
export const Footer = memo(function Footer({ mode, width }: { mode: FooterMode; width: number }) {
  const commands = COMMAND_KEYS.map((c) => <Key key={c} label={bindingFor(c).label} text={SHORT[c]!} />);
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate">
        {mode === 'passthrough' && (
          <>
            <Text dimColor>keys go to the container · </Text>
            <Key label={PREFIX_LABEL} text="then a command key (? for all)" />
          </>
        )}
        {mode === 'prefix' && (
          <>
            <Text color="yellow">{PREFIX_LABEL} </Text>
            {commands}
            <Key label={PREFIX_LABEL} text={`send ${PREFIX_LABEL}`} />
          </>
        )}
        {mode === 'commands' && (
          <>
            {commands}
            <Key label="Enter" text="run selected" />
          </>
        )}
        {mode === 'picker' && <Key label="Enter" text="start · Tab next field · Esc back" />}
        {mode === 'prompt' && <Key label="Enter" text="confirm · Esc cancel" />}
      </Text>
    </Box>
  );
});
