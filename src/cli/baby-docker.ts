#!/usr/bin/env node
/**
 * baby-docker: the command line. `run` keeps the original Baby Docker's
 * `container <rootfs> <command> [args...]` working. It loads only what it
 * needs, never the UI.
 */
import * as fs from 'node:fs';
import { isatty } from 'node:tty';
import { findContainer, start, startPty, type Container, type ExitStatus, type ProcessExit, type RunningContainer } from '../runtime/container.js';
import { missingForAll } from '../runtime/capabilities.js';
import { EXIT, RuntimeError } from '../runtime/errors.js';
import {
  addEnvEntry,
  addEnvFile,
  parseOptions,
  parseSecurityOption,
  ROOTFS_RW_WARNING,
  SECURITY_OFF_WARNING,
  SECURITY_USAGE,
  unknownOption,
} from '../runtime/options.js';
import type { ContainerInfo } from '../runtime/list.js';
import { defaultBundleConfig, specFromBundle } from '../runtime/bundle.js';
import {
  bridgeFallbackNote,
  checkName,
  checkNetwork,
  checkUser,
  checkWorkdir,
  namesDirectory,
  parseDisk,
  type ContainerSpec,
} from '../runtime/spec.js';

const USAGE = `Usage:
  baby-docker run [OPTIONS] [ROOTFS] [COMMAND [ARGS...]]
      Run COMMAND in a new container on ROOTFS: a root filesystem directory,
      "default" for the built-in one (also used when no ROOTFS is given), or
      an image (alpine, debian:12, localhost:5000/app:1; pulled if missing).
      COMMAND defaults to the image's (Entrypoint and Cmd) or the rootfs's
      shell, bash or sh. Interactive on a terminal when stdin is one.
      --memory SIZE    memory limit, e.g. 256m, 1g; 0 for none (default 100m)
      --pids N         most processes at once (default 1024)
      --hostname NAME  hostname inside (default: the container id)
      --init           run a tiny init as PID 1 that forwards signals
      -t, --tty        attach a terminal even when stdin is not one
      -e, --env KEY=VALUE  set a variable (KEY alone: its value here), repeatable
      --env-file FILE  variables from a file, KEY=VALUE a line
      -w, --workdir DIR    the command's working directory (made if missing)
      -u, --user USER[:GROUP]  run as a UID or a name of the rootfs's /etc/passwd
      --entrypoint PROG    run PROG, the COMMAND words its arguments
      --read-only      mount the container's / read-only
      --name NAME      a name for ps and exec, unique while it runs
      --rm             accepted: every run is removed when it ends
      --disk SIZE      the most the run may write, e.g. 512m, 4g (default 1g): its
                       writes go to a layer of its own over ROOTFS, gone when it ends
      --keep           keep that layer when the run ends (see --on-layer, rm)
      --on-layer ID    start on the layer run ID kept, as that run left it
      --rootfs-rw      write into ROOTFS itself, as the original did (no layer)
      --pull POLICY    pull an image first: missing (default), always, never
      --network MODE   bridge (default): eth0 on the host's bridge bd0, NAT
                       out; none: only lo; host: the host's own network
      -p, --publish [IP:]HOST:PORT[/udp]  forward the host's port HOST (on
                       every address of the host's, or on IP) to PORT (bridge)
      --bundle DIR     run an OCI bundle: its rootfs, process, hostname, bind and
                       tmpfs mounts, memory and pids limits (options after it
                       change them)
      -v, --volume HOST:PATH[:ro]  bind a host file or directory in (repeatable)
      --tmpfs PATH[:OPTIONS]       a tmpfs at PATH (size=64m, mode=1777, exec, ro)
${SECURITY_USAGE}
  baby-docker exec [OPTIONS] ID COMMAND [ARGS...]
      Run COMMAND in the running container ID (or the start of one id, as
      baby-docker ps shows them): in its namespaces and cgroup, with its
      environment, capabilities and seccomp filter.
      -t, --tty          on a terminal of its own (needs one on stdin)
      -i, --interactive  pass stdin on even when it is a terminal
      -e, --env KEY=VALUE  set a variable for COMMAND (repeatable)
  baby-docker ps
      List the running containers.
  baby-docker rm ID
      Remove the layer a run started with --keep left.
  baby-docker commit ID|NAME NEWNAME[:TAG]
      Make an image of what the run ID (an id, the start of one, or its
      --name) kept with --keep: its image's layers (or its rootfs directory)
      and its own, its command, env, workdir and user. Prints the image id.
  baby-docker pull [--insecure] NAME[:TAG|@sha256:DIGEST]
      Fetch an image from its registry (Docker Hub when the name has none:
      alpine is docker.io/library/alpine:latest). Credentials come from
      ~/.docker/config.json. --insecure: plain HTTP to a registry that is
      not on this machine.
  baby-docker load -i FILE
      Load the images of a docker save tar, an OCI archive or an OCI layout directory.
  baby-docker import ROOTFS.tar NAME[:TAG]
      Make a one-layer image of a root filesystem tarball.
  baby-docker images
      List the local images.
  baby-docker rmi NAME|ID...
      Remove an image's name (an id: all its names); its layers go once no image uses them.
  baby-docker image prune
      Remove the layers and blobs no image uses, and interrupted downloads.
  baby-docker lab list
      The guided labs: built in, and in ~/.config/baby-docker/labs.
  baby-docker lab check NAME|FILE.yaml
      Run every step of a lab unattended, one line a step; exit 0 when all pass.
  baby-docker rootfs create DIR
      Build a small root filesystem from this machine's own programs.
  baby-docker gc
      Remove what dead runs left behind (cgroups, state), the layers of TUI
      sessions that were killed, and the bridge bd0 when no run uses it.
  baby-docker spec
      Write a default OCI config.json here (root "rootfs", sh), for
      baby-docker-runc or run --bundle.

Exit codes: the command's own; 125 the runtime failed (for exec, also: no
such container, or it has exited); 126 the command cannot be executed; 127
the command was not found in the rootfs.`;

/** Signals we pass on to the container, as docker run does. */
const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

type PullPolicy = 'missing' | 'always' | 'never';

interface RunArgs {
  spec: ContainerSpec;
  tty: boolean;
  pull: PullPolicy;
}

function parseRunArgs(args: string[], stdinIsTerminal: boolean): RunArgs {
  const env: Record<string, string> = {};
  const spec: ContainerSpec = { rootfs: 'default', command: [], env };
  let tty = false;
  let pull: PullPolicy = 'missing';
  let bundle = false;
  const operands = parseOptions(args, 'baby-docker', (flag, value) => {
    if (flag === '--memory' || flag === '-m') spec.memory = value();
    else if (flag === '--pids') spec.pids = value();
    else if (flag === '--hostname') spec.hostname = value();
    else if (flag === '--init') spec.init = true;
    else if (flag === '-e' || flag === '--env') addEnvEntry(env, flag, value());
    else if (flag === '--env-file') addEnvFile(env, value());
    else if (flag === '-w' || flag === '--workdir') spec.workdir = checkWorkdir(value());
    else if (flag === '-u' || flag === '--user') spec.user = checkUser(value());
    else if (flag === '--entrypoint') spec.entrypoint = value();
    else if (flag === '--read-only') spec.readOnly = true;
    else if (flag === '--name') spec.name = checkName(value());
    else if (flag === '--rm')
      return; // runs are removed when they end: Docker's habit, accepted
    else if (flag === '--disk') spec.disk = parseDisk(value());
    else if (flag === '--keep') spec.keep = true;
    else if (flag === '--on-layer') spec.onLayerOf = value();
    else if (flag === '--rootfs-rw') spec.rootfsRw = true;
    else if (flag === '--pull') pull = checkPullPolicy(value());
    else if (flag === '--network' || flag === '--net') spec.network = checkNetwork(value());
    else if (flag === '-v' || flag === '--volume') spec.volumes = [...(spec.volumes ?? []), value()];
    else if (flag === '--tmpfs') spec.tmpfs = [...(spec.tmpfs ?? []), value()];
    else if (flag === '-p' || flag === '--publish') spec.publish = [...(spec.publish ?? []), value()];
    else if (flag === '--bundle') {
      // The bundle's settings; options after it change them.
      const { env: bundleEnv, ...fromBundle } = specFromBundle(value());
      Object.assign(env, bundleEnv);
      Object.assign(spec, fromBundle);
      bundle = true;
    } else if (flag === '-t' || flag === '--tty') tty = true;
    else if (flag === '-i' || flag === '-it' || flag === '-ti') tty ||= flag !== '-i';
    else if (!parseSecurityOption(flag, value, spec)) throw unknownOption(flag, 'baby-docker');
  });
  if (bundle) {
    if (operands.length > 0) throw new RuntimeError(`--bundle gives the rootfs and the command: leave out ${operands.join(' ')}`);
    return { spec, tty: tty || stdinIsTerminal, pull };
  }
  if (operands.length > 0) spec.rootfs = operands.shift()!;
  // Empty: the image's command, or the rootfs's shell; with --entrypoint, its arguments (resolveSpec).
  spec.command = operands;
  return { spec, tty: tty || stdinIsTerminal, pull };
}

/** Once started (so that bad input still gets its one-line error alone): signals go on to it, and no hardening
 * or capability the host could not give is said out loud. */
function started(container: Container, spec: ContainerSpec): void {
  if (spec.security === 'none') process.stderr.write(`baby-docker: ${SECURITY_OFF_WARNING}\r\n`);
  if (spec.rootfsRw) process.stderr.write(`baby-docker: ${ROOTFS_RW_WARNING}\r\n`);
  if (container.network.fallback) process.stderr.write(`baby-docker: ${bridgeFallbackNote(container.network.fallback)}\r\n`);
  const missing = missingForAll(spec.capAdd);
  if (missing.length) {
    process.stderr.write(
      `baby-docker: --cap-add ALL: this host's bounding set lacks ${missing.join(', ')}, so the container has every capability but ${missing.length === 1 ? 'that one' : 'those'}\r\n`,
    );
  }
  for (const signal of FORWARDED_SIGNALS) process.on(signal, () => container.signal(signal));
}

async function runPiped(spec: ContainerSpec): Promise<[Container, ExitStatus]> {
  const container = await start(spec, { stdio: 'inherit' });
  started(container, spec);
  return [container, await container.wait()];
}

/** Our terminal's size, for a pty of the same. */
function terminalSize(): { cols: number; rows: number } {
  return { cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 };
}

interface OnPty<End> {
  onData(listener: (data: Buffer) => void): () => void;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  wait(): Promise<End>;
}

/** Our terminal, raw, joined to a pty's until its program ends; restored however that ends. */
async function attachTerminal<End>(target: OnPty<End>): Promise<End> {
  const { stdin, stdout } = process;
  target.onData((data) => stdout.write(data));
  stdout.on('resize', () => target.resize(stdout.columns, stdout.rows));
  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.on('data', (data: string) => target.write(data));
  try {
    return await target.wait();
  } finally {
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
  }
}

async function runOnTerminal(spec: ContainerSpec): Promise<[Container, ExitStatus]> {
  const container = await startPty(spec, terminalSize());
  started(container, spec);
  return [container, await attachTerminal(container)];
}

interface ExecArgs {
  id: string;
  command: string[];
  env: Record<string, string>;
  tty: boolean;
  interactive: boolean;
}

function parseExecArgs(args: string[]): ExecArgs {
  const env: Record<string, string> = {};
  let tty = false;
  let interactive = false;
  const operands = parseOptions(args, 'baby-docker', (flag, value) => {
    if (flag === '-t' || flag === '--tty') tty = true;
    else if (flag === '-i' || flag === '--interactive') interactive = true;
    else if (flag === '-it' || flag === '-ti') tty = interactive = true;
    else if (flag === '-e' || flag === '--env') addEnvEntry(env, flag, value());
    else throw unknownOption(flag, 'baby-docker');
  });
  const [id, ...command] = operands;
  if (id === undefined || command.length === 0) {
    throw new RuntimeError('usage: baby-docker exec [-t] [-i] [-e KEY=VALUE]... ID COMMAND [ARGS...]');
  }
  return { id, command, env, tty, interactive };
}

/** Pipes both ways, relayed here: the command never gets a file or terminal of ours. */
async function execPiped(container: RunningContainer, { command, env, interactive }: ExecArgs): Promise<ProcessExit> {
  const child = await container.execPiped(command, { env });
  for (const signal of FORWARDED_SIGNALS) process.on(signal, () => child.signal(signal));
  for (const [from, to] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    from.pipe(to);
    // Our reader has gone (`| head`): the command gets SIGPIPE, as in a shell, and what it writes
    // meanwhile goes nowhere (its pipe is a socket, whose closing it would see as ECONNRESET).
    to.on('error', () => {
      from.unpipe(to);
      from.resume();
      child.signal('SIGPIPE');
    });
  }
  // Like docker exec, a terminal's typing goes on only when asked (-i); a pipe's or file's always.
  if (interactive || !isatty(0)) {
    child.stdin.on('error', () => {}); // the command may end before its input does
    process.stdin.pipe(child.stdin);
  } else {
    child.stdin.end();
  }
  return child.wait();
}

async function execOnTerminal(container: RunningContainer, { command, env }: ExecArgs): Promise<ProcessExit> {
  const child = await container.execPty(command, { ...terminalSize(), env });
  for (const signal of FORWARDED_SIGNALS) process.on(signal, () => child.signal(signal));
  return attachTerminal(child);
}

async function exec(args: string[]): Promise<number> {
  const parsed = parseExecArgs(args);
  if (parsed.tty && !isatty(0)) throw new RuntimeError('exec -t needs a terminal on stdin: run it from one, or leave -t out');
  const container = findContainer(parsed.id);
  const end = parsed.tty ? await execOnTerminal(container, parsed) : await execPiped(container, parsed);
  if (end.error) process.stderr.write(`baby-docker: ${end.error}\n`);
  return end.code;
}

/** Docker says nothing and leaves it to `inspect`; a learner should see it at once. */
function oomReport(status: ExitStatus): string {
  const kills = status.memory?.oomKills ?? 1;
  const limit = status.memory?.limit ? ` of ${Math.round(status.memory.limit / 2 ** 20)} MiB` : '';
  return `the OOM killer killed ${kills === 1 ? 'a process' : `${kills} processes`} of the container at its memory limit${limit} (raise it with --memory)`;
}

function checkPullPolicy(value: string): PullPolicy {
  if (value !== 'missing' && value !== 'always' && value !== 'never')
    throw new RuntimeError(`--pull ${value}: use missing (the default), always or never`);
  return value;
}

/** An image not here (or any, with --pull always) is pulled first, as docker run does. */
async function pullFor(rootfs: string, policy: PullPolicy): Promise<void> {
  if (policy === 'never' || namesDirectory(rootfs)) return;
  const { findLocalImage, pullImage } = await import('../runtime/images/index.js');
  if (policy === 'missing' && findLocalImage(rootfs)) return;
  if (policy === 'missing') process.stderr.write(`Unable to find image '${rootfs}' locally\n`);
  try {
    await pullImage(rootfs, { onProgress: pullProgress() });
  } catch (error) {
    // A mistyped directory looks like an image name too: say both.
    if (policy === 'missing' && error instanceof RuntimeError)
      throw new RuntimeError(`no rootfs directory or local image "${rootfs}", and pulling it failed: ${error.message}`);
    throw error;
  }
}

async function run(args: string[]): Promise<number> {
  // isatty, not process.stdin: that getter sets up a stream we do not need for pipes.
  const { spec, tty, pull } = parseRunArgs(args, isatty(0) && isatty(1));
  await pullFor(spec.rootfs, pull);
  const [container, status] = tty ? await runOnTerminal(spec) : await runPiped(spec);
  if (status.error) process.stderr.write(`baby-docker: ${status.error}\n`);
  if (status.oomKilled) process.stderr.write(`baby-docker: ${oomReport(status)}\n`);
  if (spec.keep) {
    process.stderr.write(
      `baby-docker: kept the run's layer: baby-docker run --on-layer ${container.id} ... goes on in it; baby-docker rm ${container.id} removes it\n`,
    );
  }
  return status.code;
}

/** `baby-docker ps`: one line a running container, as `docker ps` lays it out. */
function psTable(containers: ContainerInfo[], now: number): string {
  const rows = [['CONTAINER ID', 'NAME', 'PID', 'UP', 'COMMAND', 'ROOTFS']];
  for (const c of containers) {
    rows.push([
      c.id,
      c.name ?? '-',
      c.hostPid === null ? '-' : String(c.hostPid),
      `${Math.max(0, Math.round((now - c.startedAt) / 1000))}s`,
      c.command,
      c.rootfs,
    ]);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('   ')).join('\n') + '\n';
}

async function lab([action, name, ...extra]: string[]): Promise<number> {
  const { printLabList, runLabCheck } = await import('../labs/cli.js');
  if (action === 'list' && name === undefined) {
    printLabList();
    return 0;
  }
  if (action === 'check' && name !== undefined && extra.length === 0) return runLabCheck(name);
  throw new RuntimeError('usage: baby-docker lab list | baby-docker lab check NAME');
}

/** Decimal units, as Docker shows sizes. */
function formatSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  for (; bytes >= 1000 && i < units.length - 1; i++) bytes /= 1000;
  return `${i === 0 ? bytes : bytes.toFixed(bytes < 10 ? 2 : 1)}${units[i]}`;
}

function ago(date: Date | null, now: number): string {
  if (!date || Number.isNaN(date.getTime())) return 'N/A';
  const seconds = Math.max(0, (now - date.getTime()) / 1000);
  const [count, unit] =
    seconds < 60
      ? [seconds, 'second']
      : seconds < 3600
        ? [seconds / 60, 'minute']
        : seconds < 86400
          ? [seconds / 3600, 'hour']
          : seconds < 86400 * 365
            ? [seconds / 86400, 'day']
            : [seconds / 86400 / 365, 'year'];
  const n = Math.floor(count);
  return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
}

/** `baby-docker images`, as `docker images` lays it out (Docker Hub's names short: alpine, user/app). */
async function imagesTable(): Promise<string> {
  const { listImages } = await import('../runtime/images/store.js');
  const { DOCKER_HUB } = await import('../runtime/images/reference.js');
  const rows = [['REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE', 'CREATED']];
  const now = Date.now();
  for (const image of listImages()) {
    // name is registry/repository[:tag][@digest], or a manifest digest alone for an image loaded without a name
    const [, registry, repository, tag] = /^(?:([^/]+)\/([^:@]+)(?::([^@]+))?)?/.exec(image.name)!;
    const shown = registry === undefined ? '<none>' : registry === DOCKER_HUB ? repository.replace(/^library\//, '') : `${registry}/${repository}`;
    rows.push([shown, tag ?? '<none>', image.id.slice('sha256:'.length, 'sha256:'.length + 12), formatSize(image.size), ago(image.created, now)]);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('   ')).join('\n') + '\n';
}

/** A pull's progress: on a terminal, one bar a layer redrawn in place; otherwise a line as each layer completes. */
function pullProgress(): (progress: { layer: string; done: number; total: number }) => void {
  const layers = new Map<string, { done: number; total: number }>();
  const tty = process.stdout.isTTY;
  let drawn = 0;
  let lastDraw = 0;
  const bar = (done: number, total: number): string => {
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    return `[${'='.repeat(Math.max(0, filled - 1))}${filled ? (done >= total ? '=' : '>') : ''}${' '.repeat(width - filled)}]`;
  };
  return ({ layer, done, total }) => {
    const before = layers.get(layer);
    layers.set(layer, { done, total });
    const complete = done >= total;
    if (!tty) {
      if (complete && !(before && before.done >= before.total)) process.stdout.write(`${layer}: ${formatSize(total)} done\n`);
      return;
    }
    if (!complete && Date.now() - lastDraw < 100 && before) return;
    lastDraw = Date.now();
    let out = drawn ? `\x1b[${drawn}A` : '';
    for (const [id, p] of layers) {
      out += `\r\x1b[2K${id}: ${p.done >= p.total ? 'done'.padEnd(34) : `${bar(p.done, p.total)}   `} ${formatSize(p.done)} / ${formatSize(p.total)}\n`;
    }
    drawn = layers.size;
    process.stdout.write(out);
  };
}

async function image(command: string | undefined, args: string[]): Promise<number> {
  switch (command) {
    case 'pull': {
      let insecure = false;
      const operands = parseOptions(args, 'baby-docker', (flag) => {
        if (flag === '--insecure') insecure = true;
        else throw unknownOption(flag, 'baby-docker');
      });
      if (operands.length !== 1) throw new RuntimeError('usage: baby-docker pull [--insecure] NAME[:TAG|@sha256:DIGEST]');
      const { pullImage } = await import('../runtime/images/index.js');
      const pulled = await pullImage(operands[0], { insecure, onProgress: pullProgress() });
      process.stdout.write(`${pulled.name}: ${pulled.id}\n`);
      return 0;
    }
    case 'load': {
      if (args.length !== 2 || (args[0] !== '-i' && args[0] !== '--input')) throw new RuntimeError('usage: baby-docker load -i FILE');
      const { loadImages } = await import('../runtime/images/archive.js');
      for (const loaded of await loadImages(args[1])) process.stdout.write(`Loaded image: ${loaded.name} (${loaded.id})\n`);
      return 0;
    }
    case 'import': {
      if (args.length !== 2) throw new RuntimeError('usage: baby-docker import ROOTFS.tar NAME[:TAG]');
      const { importImage } = await import('../runtime/images/archive.js');
      const imported = await importImage(args[0], args[1]);
      process.stdout.write(`${imported.name}: ${imported.id}\n`);
      return 0;
    }
    case 'images':
      if (args.length !== 0) throw new RuntimeError('usage: baby-docker images');
      process.stdout.write(await imagesTable());
      return 0;
    case 'rmi': {
      if (args.length === 0) throw new RuntimeError('usage: baby-docker rmi NAME|ID...');
      const { removeImage } = await import('../runtime/images/store.js');
      for (const ref of args) for (const name of removeImage(ref)) process.stdout.write(`Untagged: ${name}\n`);
      return 0;
    }
    default: {
      if (command !== 'prune' || args.length !== 0) throw new RuntimeError('usage: baby-docker image prune');
      const { pruneImages } = await import('../runtime/images/store.js');
      process.stdout.write(`removed ${pruneImages()} unused layer(s), blob(s) and partial download(s)\n`);
      return 0;
    }
  }
}

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'run':
      return run(rest);
    case 'exec':
      return exec(rest);
    case 'rootfs': {
      if (rest[0] !== 'create' || rest.length !== 2) throw new RuntimeError('usage: baby-docker rootfs create DIR');
      const { createRootfs } = await import('../runtime/rootfs.js');
      const programs = createRootfs(rest[1]);
      process.stdout.write(`created a rootfs with ${programs.length} programs in ${rest[1]}\n`);
      return 0;
    }
    case 'ps': {
      const { listContainers } = await import('../runtime/list.js');
      process.stdout.write(psTable(listContainers(), Date.now()));
      return 0;
    }
    case 'lab':
      return lab(rest);
    case 'pull':
    case 'load':
    case 'import':
    case 'images':
    case 'rmi':
      return image(command, rest);
    case 'image':
      return image(rest[0], rest.slice(1));
    case 'commit': {
      if (rest.length !== 2) throw new RuntimeError('usage: baby-docker commit ID|NAME NEWNAME[:TAG]');
      const { commitRun } = await import('../runtime/images/commit.js');
      process.stdout.write(`${(await commitRun(rest[0], rest[1])).id}\n`);
      return 0;
    }
    case 'rm': {
      if (rest.length === 0) throw new RuntimeError('usage: baby-docker rm ID...');
      const { findKeptLayer, removeKeptLayer } = await import('../runtime/layer.js');
      for (const id of rest) {
        findKeptLayer(id); // says so when there is none
        removeKeptLayer(id);
        process.stdout.write(`${id}\n`);
      }
      return 0;
    }
    case 'spec': {
      // As runc spec does: a default config.json here, for baby-docker-runc or run --bundle.
      if (rest.length > 0) throw new RuntimeError(`spec takes no arguments (it writes ./config.json), not ${rest.join(' ')}`);
      try {
        fs.writeFileSync('config.json', `${JSON.stringify(defaultBundleConfig(), null, 2)}\n`, { flag: 'wx' });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new RuntimeError(
          code === 'EEXIST' ? 'config.json exists here already: remove it, or write the bundle elsewhere' : `write config.json: ${code}`,
        );
      }
      return 0;
    }
    case 'gc': {
      const { addon } = await import('../runtime/native.js');
      const { collectSessionLayers } = await import('../runtime/layer.js');
      process.stdout.write(`cleaned up after ${addon().gc(true)} dead container(s) and ${collectSessionLayers()} ended TUI session(s)\n`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? EXIT.RUNTIME : 0;
    default:
      throw new RuntimeError(`unknown command "${command}": see baby-docker --help`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`baby-docker: ${message}\n`);
    process.exit(error instanceof RuntimeError ? error.exitCode : EXIT.RUNTIME);
  },
);
