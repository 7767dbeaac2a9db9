/** baby-docker-tui's command line: what it says, checked before anything starts. */
import { isatty } from 'node:tty';
import { parseOptions, parseSecurityOption, SECURITY_USAGE, unknownOption, type SecurityOptions } from '../runtime/options.js';
import { specFromBundle } from '../runtime/bundle.js';
import { RuntimeError } from '../runtime/errors.js';
import { defaultCommand } from '../runtime/insideRootfs.js';
import {
  checkHostname,
  checkNetwork,
  checkStorageOptions,
  DEFAULT_MEMORY_SIZE,
  namesDirectory,
  parseMemory,
  parsePids,
  parsePublish,
  resolveCapabilities,
  type ContainerSpec,
  type Network,
  type StorageOptions,
} from '../runtime/spec.js';
import type { RunOptions } from './types.js';

export const USAGE = `Usage: baby-docker-tui [OPTIONS] [ROOTFS [COMMAND [ARGS...]]]
  Opens the interactive container shell (as root, in a terminal). With
  ROOTFS (a directory, or "default") it starts COMMAND (default /bin/sh)
  at once instead of showing the picker. Keys: Ctrl-] then ? shows them all.
      --memory SIZE    memory limit of each run (default 100m)
      --hostname NAME  hostname inside (default: the container id)
      --rootfs DIR     add a directory to the picker's list
      --bundle DIR     start an OCI bundle at once (baby-docker spec writes
                       one): its rootfs, process, hostname, mounts, limits
                       and network; the options here add to it, and set
                       what it leaves out
      --pids N         most processes at once in each run (default 1024)
      --init           run a tiny init as PID 1 that forwards signals
      -v, --volume HOST:PATH[:ro]  bind a host path into each run (repeatable)
      --tmpfs PATH[:OPTIONS]       a tmpfs in each run (size=64m, exec, ro)
      --disk SIZE      the most each run may write (default 1g)
      --network MODE   bridge (eth0 on bd0, default), none (only lo), host
      -p, --publish [IP:]HOST:CONTAINER[/udp]  publish a port of each run on
                       the host (bridge only; repeatable)
      --record FILE    record the pane as an asciicast (asciinema play FILE);
                       Ctrl-] w starts or stops a recording too
      --lab NAME       follow a guided lab (a built-in one, one in
                       ~/.config/baby-docker/labs, or a .yaml file);
                       --lab list lists them
      --check          with --lab: run every step unattended, one line a
                       step, exit 0 when all pass (no terminal needed)
${SECURITY_USAGE}`;

/** What the command line sets for every run of the session: the hardening, the pids limit, an init, published ports. */
export type SessionOptions = SecurityOptions & StorageOptions & Pick<RunOptions, 'pids' | 'init' | 'publish'>;

export interface TuiArgs {
  memory: string;
  hostname: string;
  /** For the picker's Network field and a direct run; empty: the runtime's default. */
  network: Network | '';
  /** Offered in the picker. */
  rootfsChoices: string[];
  /** Set when a rootfs was named: start at once. */
  direct: RunOptions | null;
  /** For every run of the session (a direct run has them already). */
  session: SessionOptions;
  /** --lab: the lab to follow. */
  lab: string | null;
  /** --check: run the lab unattended instead. */
  check: boolean;
  /** --record: the asciicast file to record the pane to. */
  record: string | null;
}

export function parseArgs(args: string[]): TuiArgs | null {
  const parsed: TuiArgs = {
    memory: DEFAULT_MEMORY_SIZE,
    hostname: '',
    network: '',
    rootfsChoices: [],
    direct: null,
    session: {},
    lab: null,
    check: false,
    record: null,
  };
  let help = false;
  let bundle = null as ContainerSpec | null; // set in the callback, which narrowing does not see
  const [rootfs, ...command] = parseOptions(args, 'baby-docker-tui', (flag, value) => {
    if (flag === '--help' || flag === '-h') help = true;
    else if (flag === '--memory' || flag === '-m') parsed.memory = value();
    else if (flag === '--hostname') parsed.hostname = value();
    else if (flag === '--rootfs') parsed.rootfsChoices.push(value());
    else if (flag === '--bundle') bundle = specFromBundle(value());
    else if (flag === '--pids') parsed.session.pids = parsePids(value());
    else if (flag === '--init') parsed.session.init = true;
    else if (flag === '--lab') parsed.lab = value();
    else if (flag === '--check') parsed.check = true;
    else if (flag === '--record') parsed.record = value();
    else if (flag === '-v' || flag === '--volume') parsed.session.volumes = [...(parsed.session.volumes ?? []), value()];
    else if (flag === '--tmpfs') parsed.session.tmpfs = [...(parsed.session.tmpfs ?? []), value()];
    else if (flag === '--disk') parsed.session.disk = value();
    else if (flag === '--network' || flag === '--net') parsed.network = checkNetwork(value());
    else if (flag === '-p' || flag === '--publish') parsed.session.publish = [...(parsed.session.publish ?? []), value()];
    else if (!parseSecurityOption(flag, value, parsed.session)) throw unknownOption(flag, 'baby-docker-tui');
  });
  if (help) return null;
  if (parsed.check && parsed.lab === null) throw new RuntimeError('--check goes with --lab NAME: which lab to check');
  parseMemory(parsed.memory);
  if (parsed.hostname) checkHostname(parsed.hostname);
  resolveCapabilities(parsed.session);
  checkStorageOptions(parsed.session);
  for (const port of parsed.session.publish ?? []) parsePublish(port);
  if (bundle) {
    if (rootfs !== undefined) throw new RuntimeError(`--bundle gives the rootfs and the command: leave out ${[rootfs, ...command].join(' ')}`);
    parsed.rootfsChoices.push(bundle.rootfs);
    const { session } = parsed;
    parsed.direct = {
      ...session,
      ...bundle,
      memory: bundle.memory !== undefined ? String(bundle.memory) : parsed.memory,
      hostname: bundle.hostname ?? parsed.hostname,
      network: checkNetwork(bundle.network ?? 'none'),
      volumes: [...(bundle.volumes ?? []), ...(session.volumes ?? [])],
      tmpfs: [...(bundle.tmpfs ?? []), ...(session.tmpfs ?? [])],
    };
  } else if (rootfs !== undefined) {
    parsed.rootfsChoices.push(rootfs);
    parsed.direct = {
      // An image's own command is its Entrypoint and Cmd: left empty, the run takes them.
      rootfs,
      command: command.length || !namesDirectory(rootfs) ? command : defaultCommand(rootfs),
      memory: parsed.memory,
      hostname: parsed.hostname,
      ...(parsed.network ? { network: parsed.network } : {}),
      ...parsed.session,
    };
  }
  return parsed;
}

/** The UI needs a terminal on stdin and stdout. */
export const hasTerminal = (): boolean => isatty(0) && isatty(1);
