/**
 * The "New container" panel: draws a PickerState (see ../picker.ts, which
 * handles the keys). Controlled and pure: same props, same frame.
 */
import { memo, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import type { PickerField, PickerState } from '../picker.js';

export const PICKER_HINT = 'Tab next field · ↑/↓ choose / history · Enter start · Esc back · Ctrl-C quit';
export const TYPED_PATH_PLACEHOLDER = 'type a path…';
/** Rootfs entries shown at once; a longer list scrolls with the selection. */
export const MAX_VISIBLE_CHOICES = 8;
/** The full layout is used while it shows at least this many rows of the rootfs list (or all of it). */
const FULL_LAYOUT_MIN_LIST_ROWS = 5;
/** Rows of the full layout besides the rootfs list and the errors: border 2, title, seven sections
 * (a gap and a label each), five text fields, the lab line, and the hint with its gap. */
const FULL_FIXED_ROWS = 2 + 1 + 7 * 2 + 5 + 1 + 2;
/** The compact layout: border 2, title, the rootfs label, and one line each for command, memory, hostname, network, volumes, lab. */
const COMPACT_FIXED_ROWS = 2 + 1 + 1 + 6;

export interface PickerLayout {
  /** Labels beside their values, no gaps, no hint (the footer has it), errors on one line each. */
  compact: boolean;
  /** Rows for the rootfs list, its "more" lines included. */
  listRows: number;
}

/** How the picker fits in `height` rows at `width` columns, so that it never draws past them. */
export function pickerLayout(state: PickerState, width: number, height: number): PickerLayout {
  const errors = Object.values(state.errors);
  // An error wraps in the full layout: its text starts 4 columns into the bordered, padded box.
  const errorRows = errors.reduce((rows, error) => rows + Math.ceil(error.length / Math.max(1, width - 8)), 0);
  const entries = state.rootfsChoices.length + 1;
  const fullListRows = height - FULL_FIXED_ROWS - errorRows;
  if (fullListRows >= Math.min(entries, FULL_LAYOUT_MIN_LIST_ROWS)) return { compact: false, listRows: fullListRows };
  return { compact: true, listRows: Math.max(1, height - COMPACT_FIXED_ROWS - errors.length) };
}

const CURSOR = '█';

export interface PickerProps {
  state: PickerState;
  width: number;
  /** Rows it may take. */
  height: number;
}

function Label({ text, focused }: { text: string; focused: boolean }) {
  return (
    <Text bold color={focused ? 'cyan' : undefined}>
      {focused ? '▸ ' : '  '}
      {text}
    </Text>
  );
}

function FieldError({ error, compact }: { error: string | undefined; compact: boolean }) {
  if (error === undefined) return null;
  return (
    <Box paddingLeft={4}>
      <Text color="red" wrap={compact ? 'truncate-end' : 'wrap'}>
        {error}
      </Text>
    </Box>
  );
}

/** `value` with the cursor at `cursor` (null: its end): the character there inverted, or a block after the end. */
function WithCursor({ value, cursor }: { value: string; cursor: number | null }) {
  const chars = Array.from(value);
  const at = Math.min(cursor ?? chars.length, chars.length);
  if (at === chars.length)
    return (
      <>
        {value}
        {CURSOR}
      </>
    );
  return (
    <>
      {chars.slice(0, at).join('')}
      <Text inverse>{chars[at]}</Text>
      {chars.slice(at + 1).join('')}
    </>
  );
}

/** A one-line text field: value, the cursor when focused, a dim hint when empty. */
function TextField({ value, focused, cursor, placeholder }: { value: string; focused: boolean; cursor: number | null; placeholder?: string }) {
  return (
    <Box paddingLeft={4}>
      <Text wrap="truncate-start">
        {focused ? <WithCursor value={value} cursor={cursor} /> : value}
        {value === '' && placeholder ? (
          <Text dimColor>
            {focused ? ' ' : ''}
            {placeholder}
          </Text>
        ) : null}
      </Text>
    </Box>
  );
}

/** The window of entries [start, end) to show in `rows` rows (a "more" line above and below it
 * included when the list is longer) so that `selected` is visible. */
function visibleRange(count: number, selected: number, rows: number): [number, number] {
  if (count <= Math.min(rows, MAX_VISIBLE_CHOICES)) return [0, count];
  const shown = Math.max(1, Math.min(MAX_VISIBLE_CHOICES, rows - 2));
  const start = Math.max(0, Math.min(selected - Math.floor(shown / 2), count - shown));
  return [start, start + shown];
}

function RootfsList({ state, rows }: { state: PickerState; rows: number }) {
  const focused = state.focus === 'rootfs';
  const typedIndex = state.rootfsChoices.length;
  // The choices plus the "type a path…" entry at the end.
  const entryCount = typedIndex + 1;
  const [start, end] = visibleRange(entryCount, state.rootfsIndex, rows);
  const lines = [];
  for (let index = start; index < end; index++) {
    const selected = index === state.rootfsIndex;
    const marker = selected ? '› ' : '  ';
    if (index < typedIndex) {
      lines.push(
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
    lines.push(
      <Box key="typed" paddingLeft={2}>
        <Text inverse={selected} wrap="truncate-start">
          {marker}
          {typed === '' ? <Text dimColor={!selected}>{TYPED_PATH_PLACEHOLDER}</Text> : null}
          {selected && focused ? <WithCursor value={typed} cursor={state.cursor} /> : typed}
        </Text>
        {good ? <Text color="green"> ✓</Text> : null}
      </Box>,
    );
  }
  return (
    <Box flexDirection="column">
      {start > 0 ? <Text dimColor>{`    ↑ ${start} more`}</Text> : null}
      {lines}
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

/** A field: its label above its value, or beside it in the compact layout. */
function Field({ label, focused, compact, children }: { label: string; focused: boolean; compact: boolean; children: ReactNode }) {
  return (
    <Box marginTop={compact ? 0 : 1} flexDirection={compact ? 'row' : 'column'}>
      <Label text={compact ? label.padEnd(13) : label} focused={focused} />
      <Box flexGrow={1}>{children}</Box>
    </Box>
  );
}

function PickerPanel({ state, width, height }: PickerProps) {
  const focused = (field: PickerField) => state.focus === field;
  const { compact, listRows } = pickerLayout(state, width, height);
  const historyNote = state.historyIndex === null ? '' : ` (history ${state.historyIndex + 1}/${state.commandHistory.length})`;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" width={width} paddingX={1}>
      <Text bold>New container</Text>
      <Box marginTop={compact ? 0 : 1} flexDirection="column">
        <Label text="Root filesystem" focused={focused('rootfs')} />
        <RootfsList state={state} rows={listRows} />
        <FieldError error={state.errors.rootfs} compact={compact} />
      </Box>
      <Field label={`Command${historyNote}`} focused={focused('command')} compact={compact}>
        <TextField value={state.command} focused={focused('command')} cursor={state.cursor} />
      </Field>
      <FieldError error={state.errors.command} compact={compact} />
      <Field label="Memory limit" focused={focused('memory')} compact={compact}>
        <TextField value={state.memory} focused={focused('memory')} cursor={state.cursor} placeholder="e.g. 256m, 1g, 0 for none" />
      </Field>
      <FieldError error={state.errors.memory} compact={compact} />
      <Field label="Hostname" focused={focused('hostname')} compact={compact}>
        <TextField value={state.hostname} focused={focused('hostname')} cursor={state.cursor} placeholder="(the container id)" />
      </Field>
      <FieldError error={state.errors.hostname} compact={compact} />
      <Field label="Network" focused={focused('network')} compact={compact}>
        <TextField value={state.network} focused={focused('network')} cursor={state.cursor} placeholder="none, bridge or host (empty: the default)" />
      </Field>
      <FieldError error={state.errors.network} compact={compact} />
      <Field label="Volumes" focused={focused('volumes')} compact={compact}>
        <TextField value={state.volumes} focused={focused('volumes')} cursor={state.cursor} placeholder="-v HOST:PATH[:ro] --tmpfs PATH" />
      </Field>
      <FieldError error={state.errors.volumes} compact={compact} />
      <Field label={compact ? 'Lab' : 'Labs (Enter here starts the chosen lab)'} focused={focused('lab')} compact={compact}>
        <LabField state={state} />
      </Field>
      {!compact && (
        <Box marginTop={1}>
          <Text dimColor wrap="truncate-end">
            {PICKER_HINT}
          </Text>
        </Box>
      )}
    </Box>
  );
}

export const Picker = memo(PickerPanel);
