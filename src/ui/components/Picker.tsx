/**
 * The "New container" panel: draws a PickerState (see ../picker.ts, which
 * handles the keys). Controlled and pure: same props, same frame.
 */
import { memo } from 'react';
import { Box, Text } from 'ink';
import type { PickerField, PickerState } from '../picker.js';

export const PICKER_HINT = 'Tab next field · ↑/↓ choose / history · Enter start · Esc back · Ctrl-C quit';
export const TYPED_PATH_PLACEHOLDER = 'type a path…';
/** Rootfs entries shown at once; a longer list scrolls with the selection. */
export const MAX_VISIBLE_CHOICES = 8;

const CURSOR = '█';

export interface PickerProps {
  state: PickerState;
  width: number;
}

function Label({ text, focused }: { text: string; focused: boolean }) {
  return (
    <Text bold color={focused ? 'cyan' : undefined}>
      {focused ? '▸ ' : '  '}
      {text}
    </Text>
  );
}

function FieldError({ error }: { error: string | undefined }) {
  if (error === undefined) return null;
  return (
    <Box paddingLeft={4}>
      <Text color="red" wrap="wrap">
        {error}
      </Text>
    </Box>
  );
}

/** A one-line text field: value, the cursor block when focused, a dim hint when empty. */
function TextField({ value, focused, placeholder }: { value: string; focused: boolean; placeholder?: string }) {
  return (
    <Box paddingLeft={4}>
      <Text wrap="truncate-start">
        {value}
        {focused ? CURSOR : ''}
        {value === '' && placeholder ? <Text dimColor>{focused ? ' ' : ''}{placeholder}</Text> : null}
      </Text>
    </Box>
  );
}

/** The window of entries [start, end) to show so that `selected` is visible. */
function visibleRange(count: number, selected: number): [number, number] {
  if (count <= MAX_VISIBLE_CHOICES) return [0, count];
  const start = Math.max(0, Math.min(selected - Math.floor(MAX_VISIBLE_CHOICES / 2), count - MAX_VISIBLE_CHOICES));
  return [start, start + MAX_VISIBLE_CHOICES];
}

function RootfsList({ state }: { state: PickerState }) {
  const focused = state.focus === 'rootfs';
  const typedIndex = state.rootfsChoices.length;
  // The choices plus the "type a path…" entry at the end.
  const entryCount = typedIndex + 1;
  const [start, end] = visibleRange(entryCount, state.rootfsIndex);
  const rows = [];
  for (let index = start; index < end; index++) {
    const selected = index === state.rootfsIndex;
    const marker = selected ? '› ' : '  ';
    if (index < typedIndex) {
      rows.push(
        <Box key={index} paddingLeft={2}>
          <Text inverse={selected} wrap="truncate-end">
            {marker}
            {state.rootfsChoices[index]}
          </Text>
        </Box>,
      );
      continue;
    }
    const typed = state.typedRootfs;
    // ✓ only for a typed path that was checked and found good: a directory that holds the command.
    const good = selected && typed.trim() !== '' && state.errors.rootfs === undefined && state.errors.command === undefined;
    rows.push(
      <Box key="typed" paddingLeft={2}>
        <Text inverse={selected} wrap="truncate-start">
          {marker}
          {typed === '' ? <Text dimColor={!selected}>{TYPED_PATH_PLACEHOLDER}</Text> : typed}
          {selected && focused ? CURSOR : ''}
        </Text>
        {good ? <Text color="green"> ✓</Text> : null}
      </Box>,
    );
  }
  return (
    <Box flexDirection="column">
      {start > 0 ? <Text dimColor>{`    ↑ ${start} more`}</Text> : null}
      {rows}
      {end < entryCount ? <Text dimColor>{`    ↓ ${entryCount - end} more`}</Text> : null}
    </Box>
  );
}

/** Labs: "none" (run the command above) or one of the guided labs, chosen with ↑/↓. */
function LabField({ state }: { state: PickerState }) {
  const focused = state.focus === 'lab';
  const chosen = state.labIndex > 0 ? state.labChoices[state.labIndex - 1] : null;
  return (
    <Box paddingLeft={4}>
      <Text inverse={focused} wrap="truncate-end">
        {chosen ? `${chosen.id}: ${chosen.title}` : `none: run the command above (${state.labChoices.length} labs, ↑/↓)`}
      </Text>
    </Box>
  );
}

function PickerPanel({ state, width }: PickerProps) {
  const focused = (field: PickerField) => state.focus === field;
  const historyNote =
    state.historyIndex === null ? '' : ` (history ${state.historyIndex + 1}/${state.commandHistory.length})`;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" width={width} paddingX={1}>
      <Text bold>New container</Text>
      <Box marginTop={1} flexDirection="column">
        <Label text="Root filesystem" focused={focused('rootfs')} />
        <RootfsList state={state} />
        <FieldError error={state.errors.rootfs} />
      </Box>
      <Box marginTop={1} flexDirection="column">
        <Label text={`Command${historyNote}`} focused={focused('command')} />
        <TextField value={state.command} focused={focused('command')} />
        <FieldError error={state.errors.command} />
      </Box>
      <Box marginTop={1} flexDirection="column">
        <Label text="Memory limit" focused={focused('memory')} />
        <TextField value={state.memory} focused={focused('memory')} placeholder="e.g. 256m, 1g, 0 for none" />
        <FieldError error={state.errors.memory} />
      </Box>
      <Box marginTop={1} flexDirection="column">
        <Label text="Hostname" focused={focused('hostname')} />
        <TextField value={state.hostname} focused={focused('hostname')} placeholder="(the container id)" />
        <FieldError error={state.errors.hostname} />
      </Box>
      <Box marginTop={1} flexDirection="column">
        <Label text="Labs (Enter here starts the chosen lab)" focused={focused('lab')} />
        <LabField state={state} />
      </Box>
      <Box marginTop={1}>
        <Text dimColor wrap="truncate-end">
          {PICKER_HINT}
        </Text>
      </Box>
    </Box>
  );
}

export const Picker = memo(PickerPanel);
