/**
 * Lab files: a title, the lab's container, and steps that each explain one
 * thing, suggest a command, check what happened and show the host's view
 * beside the container's. YAML, checked on load; a mistake is reported with
 * its file and line ("pid.yaml:12: steps[1].check: unknown check ...").
 * The format is documented in src/labs/README.md.
 */
import { LineCounter, parseDocument, type Document } from 'yaml';
import { checkNetwork, checkStorageOptions, parseMemory, parsePublish, type ContainerSpec, type Network } from '../runtime/spec.js';

/** Options for a lab's container, the runtime's spec with every field optional (a lab names only what it needs); a
 * step's `run` is merged over the lab's. */
export interface LabRun extends Omit<ContainerSpec, 'rootfs' | 'command' | 'memory' | 'pids' | 'network'> {
  rootfs?: string;
  command?: string[];
  memory?: string;
  pids?: number;
  network?: Network;
}

/** Something the host holds for the length of a step, and its name in the step's text and command. */
export type Fixture = 'shm' | 'listener' | 'file' | 'peer' | 'server';

/** What the host shows beside the container's view. */
export type View = 'pid' | 'hostname' | 'memory' | 'pids' | 'exit' | 'network' | Fixture;

export type HostFact = 'hostname-unchanged' | 'responsive' | { noMount: string };

export type StatKey = 'memory.current' | 'memory.peak' | 'pids.current' | 'oomKills';

export interface StatCondition {
  key: StatKey;
  op: '>=' | '<=' | '>' | '<' | '==';
  value: number;
}

/** Every condition given must hold. */
export interface Check {
  /** A line of the terminal's output since the step began matches. */
  output?: RegExp;
  /** A command run inside the container (sh -c) prints a line that matches. */
  exec?: { command: string; output: RegExp };
  host?: HostFact;
  /** The container exited with this code. */
  exit?: number;
  /** The kernel's OOM killer struck in the container. */
  oom?: boolean;
  stat?: StatCondition;
  /** The host connects to 127.0.0.1:port (a published port) and reads a line that matches. */
  connect?: { port: number; output: RegExp };
}

export interface Step {
  title: string;
  text: string;
  /** Suggested: one key types it into the terminal. */
  command?: string;
  /** Start a fresh container with these options (over the lab's) before the step. */
  run?: LabRun;
  fixture?: Fixture;
  show: View[];
  check: Check;
  /** How long the unattended check waits for the step's check to pass. */
  timeoutMs: number;
}

export interface Lab {
  /** The file's name without .yaml: what --lab takes. */
  id: string;
  title: string;
  about: string;
  run: LabRun;
  steps: Step[];
  /** Where it was read from. */
  source: string;
}

export class LabError extends Error {}

const CHECKS = ['output', 'exec', 'host', 'exit', 'oom', 'stat', 'connect'];
const VIEWS: readonly View[] = ['pid', 'hostname', 'memory', 'pids', 'exit', 'network', 'shm', 'listener', 'file', 'peer', 'server'];
const FIXTURES: readonly Fixture[] = ['shm', 'listener', 'file', 'peer', 'server'];
const STAT_KEYS: readonly StatKey[] = ['memory.current', 'memory.peak', 'pids.current', 'oomKills'];
const DEFAULT_TIMEOUT_MS = 15_000;

type Path = (string | number)[];

/** Reads values out of the parsed document, each mistake reported at its line. */
class Reader {
  /** The document as plain values; `doc` is kept for where each one is. */
  private readonly data: unknown;

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly source: string,
  ) {
    this.data = doc.toJS();
  }

  fail(path: Path, message: string): never {
    let node = this.doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    // A missing key: point at its parent.
    for (let up = path.length - 1; !node?.range && up >= 0; up--) node = this.doc.getIn(path.slice(0, up), true) as typeof node;
    const line = node?.range ? this.lines.linePos(node.range[0]).line : 1;
    const where = path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
    throw new LabError(`${this.source}:${line}: ${where ? `${where}: ` : ''}${message}`);
  }

  value(path: Path): unknown {
    let value = this.data;
    for (const part of path) value = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[part] : undefined;
    return value;
  }

  has(path: Path): boolean {
    return this.value(path) !== undefined;
  }

  isMapping(path: Path): boolean {
    const value = this.value(path);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  }

  length(path: Path): number {
    const value = this.value(path);
    return Array.isArray(value) ? value.length : 0;
  }

  string(path: Path, required = false): string | undefined {
    const value = this.value(path);
    if (value === undefined || value === null) {
      if (required) this.fail(path, 'missing: give some text');
      return undefined;
    }
    if (typeof value !== 'string' && typeof value !== 'number') this.fail(path, 'must be text');
    return String(value);
  }

  regex(path: Path): RegExp {
    const source = this.string(path, true)!;
    try {
      return new RegExp(source, 'm');
    } catch (error) {
      this.fail(path, `not a valid regular expression: ${(error as Error).message}`);
    }
  }

  stringList(path: Path): string[] | undefined {
    const value = this.value(path);
    if (value === undefined) return undefined;
    if (typeof value === 'string') return [value];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) this.fail(path, 'must be a list of names');
    return value as string[];
  }

  keys(path: Path, allowed: string[]): string[] {
    if (!this.isMapping(path)) this.fail(path, `must be a mapping of ${allowed.join(', ')}`);
    const keys = Object.keys(this.value(path) as object);
    for (const key of keys) {
      if (!allowed.includes(key)) this.fail([...path, key], `unknown key "${key}" (known: ${allowed.join(', ')})`);
    }
    return keys;
  }
}

function readRun(r: Reader, path: Path): LabRun {
  r.keys(path, [
    'rootfs',
    'command',
    'memory',
    'pids',
    'hostname',
    'capAdd',
    'capDrop',
    'security',
    'volumes',
    'tmpfs',
    'disk',
    'network',
    'publish',
  ]);
  const run: LabRun = {};
  const rootfs = r.string([...path, 'rootfs']);
  if (rootfs !== undefined) run.rootfs = rootfs;
  const command = r.value([...path, 'command']);
  if (typeof command === 'string') run.command = ['/bin/sh', '-c', command];
  else if (command !== undefined) run.command = r.stringList([...path, 'command']);
  const memory = r.string([...path, 'memory']);
  if (memory !== undefined) {
    try {
      parseMemory(memory);
    } catch (error) {
      r.fail([...path, 'memory'], (error as Error).message);
    }
    run.memory = memory;
  }
  const pids = r.value([...path, 'pids']);
  if (pids !== undefined) {
    if (!Number.isInteger(pids) || (pids as number) < 1) r.fail([...path, 'pids'], 'must be a whole number of at least 1');
    run.pids = pids as number;
  }
  const hostname = r.string([...path, 'hostname']);
  if (hostname !== undefined) run.hostname = hostname;
  const capAdd = r.stringList([...path, 'capAdd']);
  if (capAdd) run.capAdd = capAdd;
  const capDrop = r.stringList([...path, 'capDrop']);
  if (capDrop) run.capDrop = capDrop;
  const security = r.string([...path, 'security']);
  if (security !== undefined) {
    if (security !== 'default' && security !== 'none') r.fail([...path, 'security'], 'must be "default" or "none"');
    run.security = security;
  }
  const volumes = r.stringList([...path, 'volumes']);
  if (volumes) run.volumes = volumes;
  const tmpfs = r.stringList([...path, 'tmpfs']);
  if (tmpfs) run.tmpfs = tmpfs;
  const disk = r.string([...path, 'disk']);
  if (disk !== undefined) run.disk = disk;
  const network = r.string([...path, 'network']);
  if (network !== undefined) {
    try {
      run.network = checkNetwork(network);
    } catch (error) {
      r.fail([...path, 'network'], (error as Error).message);
    }
  }
  const publish = r.stringList([...path, 'publish']);
  if (publish) run.publish = publish;
  try {
    checkStorageOptions(run);
    for (const port of run.publish ?? []) parsePublish(port);
  } catch (error) {
    r.fail(path, (error as Error).message);
  }
  return run;
}

/** "pids.current >= 40", "memory.peak > 50m" */
function readStat(r: Reader, path: Path): StatCondition {
  const text = r.string(path, true)!;
  const match = /^\s*([a-zA-Z.]+)\s*(>=|<=|==|>|<)\s*(\S+)\s*$/.exec(text);
  if (!match) r.fail(path, 'write it as "<key> <op> <value>", e.g. "pids.current >= 40"');
  const [, key, op, value] = match;
  if (!STAT_KEYS.includes(key as StatKey)) r.fail(path, `unknown value "${key}" (known: ${STAT_KEYS.join(', ')})`);
  let amount: number;
  try {
    amount = key.startsWith('memory') ? parseMemory(value) : Number(value);
  } catch (error) {
    r.fail(path, (error as Error).message);
  }
  if (!Number.isFinite(amount)) r.fail(path, `"${value}" is not a number`);
  return { key: key as StatKey, op: op as StatCondition['op'], value: amount };
}

function readHostFact(r: Reader, path: Path): HostFact {
  const value = r.value(path);
  if (value === 'hostname-unchanged' || value === 'responsive') return value;
  if (r.isMapping(path)) {
    r.keys(path, ['noMount']);
    return { noMount: r.string([...path, 'noMount'], true)! };
  }
  return r.fail(path, 'use hostname-unchanged, responsive, or noMount: <source>');
}

function readCheck(r: Reader, path: Path): Check {
  const check: Check = {};
  for (const key of r.keys(path, CHECKS)) {
    const at = [...path, key];
    if (key === 'output') check.output = r.regex(at);
    else if (key === 'exec') {
      r.keys(at, ['command', 'output']);
      check.exec = { command: r.string([...at, 'command'], true)!, output: r.regex([...at, 'output']) };
    } else if (key === 'host') check.host = readHostFact(r, at);
    else if (key === 'exit') {
      const code = r.value(at);
      if (!Number.isInteger(code) || (code as number) < 0 || (code as number) > 255) r.fail(at, 'must be an exit code, 0 to 255');
      check.exit = code as number;
    } else if (key === 'oom') {
      if (r.value(at) !== true) r.fail(at, 'must be true');
      check.oom = true;
    } else if (key === 'connect') {
      r.keys(at, ['port', 'output']);
      const port = r.value([...at, 'port']);
      if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) r.fail([...at, 'port'], 'must be a port, 1 to 65535');
      check.connect = { port: port as number, output: r.regex([...at, 'output']) };
    } else check.stat = readStat(r, at);
  }
  if (Object.keys(check).length === 0) r.fail(path, `give at least one check (${CHECKS.join(', ')})`);
  return check;
}

function readStep(r: Reader, path: Path): Step {
  r.keys(path, ['title', 'text', 'command', 'run', 'fixture', 'show', 'check', 'timeout']);
  const fixture = r.string([...path, 'fixture']);
  if (fixture !== undefined && !FIXTURES.includes(fixture as Fixture)) {
    r.fail([...path, 'fixture'], `unknown fixture "${fixture}" (known: ${FIXTURES.join(', ')})`);
  }
  const show = r.stringList([...path, 'show']) ?? [];
  show.forEach((view, i) => {
    if (!VIEWS.includes(view as View)) r.fail([...path, 'show', i], `unknown view "${view}" (known: ${VIEWS.join(', ')})`);
  });
  if (!r.has([...path, 'check'])) r.fail(path, 'missing: check (what shows the step worked)');
  const timeout = r.value([...path, 'timeout']);
  if (timeout !== undefined && (typeof timeout !== 'number' || timeout <= 0)) r.fail([...path, 'timeout'], 'must be a number of seconds');
  return {
    title: r.string([...path, 'title'], true)!,
    text: r.string([...path, 'text'], true)!.trim(),
    command: r.string([...path, 'command']),
    run: r.has([...path, 'run']) ? readRun(r, [...path, 'run']) : undefined,
    fixture: fixture as Fixture | undefined,
    show: show as View[],
    check: readCheck(r, [...path, 'check']),
    timeoutMs: typeof timeout === 'number' ? timeout * 1000 : DEFAULT_TIMEOUT_MS,
  };
}

/** Parse and check a lab file's text; throws a LabError naming the line. */
export function parseLab(text: string, source: string, id: string): Lab {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const [syntax] = doc.errors;
  if (syntax) {
    const line = syntax.linePos?.[0]?.line ?? lines.linePos(syntax.pos[0]).line;
    throw new LabError(`${source}:${line}: not valid YAML: ${syntax.message.split('\n')[0]}`);
  }
  const r = new Reader(doc, lines, source);
  r.keys([], ['title', 'about', 'run', 'steps']);
  if (r.length(['steps']) === 0) r.fail(['steps'], 'give a list of steps');
  return {
    id,
    title: r.string(['title'], true)!,
    about: (r.string(['about']) ?? '').trim(),
    run: r.has(['run']) ? readRun(r, ['run']) : {},
    steps: Array.from({ length: r.length(['steps']) }, (_, i) => readStep(r, ['steps', i])),
    source,
  };
}

/** The lab's container options for step `index`: the lab's, with the step's (or an earlier step's) over them. */
export function runOptionsAt(lab: Lab, index: number): LabRun {
  for (let i = index; i >= 0; i--) {
    const run = lab.steps[i].run;
    if (run) return { ...lab.run, ...run };
  }
  return lab.run;
}

/** {port}, {shmid}, {file} and the like in a step's text and command, from the values at hand. */
export function fillIn(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
