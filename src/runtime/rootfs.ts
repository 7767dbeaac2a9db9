/**
 * Builds a small root filesystem offline from the host's own programs.
 *
 * Each program, the symlinks leading to it and the shared libraries it needs
 * are copied to the same paths they have on the host, so the dynamic loader
 * finds everything where it expects it. Files are always copied, never linked
 * or bind-mounted, so a container cannot modify the host's files.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RuntimeError } from './errors.js';
import { PROBE_PATH } from './native.js';
import { STORAGE_DIR } from './paths.js';
import { randomHex } from './random.js';

export const DEFAULT_ROOTFS_DIR = `${STORAGE_DIR}/rootfs/default`;

const HOST_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Programs copied when present on the host (looked up in PATH of the host: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin). */
export const ROOTFS_PROGRAMS: readonly string[] = [
  // Shells: sh is required (checked first), bash is a comfort.
  'sh',
  'bash',
  // Basics.
  'ls',
  'cat',
  'echo',
  'printf',
  'env',
  'true',
  'false',
  'yes',
  'sleep',
  'seq',
  'timeout',
  'date',
  'pwd',
  'basename',
  'dirname',
  'readlink',
  'realpath',
  'stat',
  'which',
  'expr',
  // Files.
  'mkdir',
  'rmdir',
  'rm',
  'touch',
  'ln',
  'cp',
  'mv',
  'chmod',
  'chown',
  'mkfifo',
  'sync',
  'dd',
  'du',
  'df',
  'find',
  'tar',
  'gzip',
  // Text.
  'grep',
  'sed',
  'awk',
  'tr',
  'cut',
  'sort',
  'uniq',
  'head',
  'tail',
  'wc',
  'tee',
  'xargs',
  'diff',
  'od',
  'hexdump',
  'xxd',
  'cksum',
  'md5sum',
  'sha256sum',
  'less',
  'more',
  'vi',
  // Identity and system information.
  'id',
  'whoami',
  'groups',
  'getent',
  'hostname',
  'uname',
  'nproc',
  'free',
  'uptime',
  'dmesg',
  // Processes (ps, top, free, kill, pgrep, watch come from procps).
  'ps',
  'top',
  'kill',
  'pgrep',
  'pkill',
  'pidof',
  'pstree',
  'watch',
  'nice',
  'taskset',
  'prlimit',
  'strace',
  'lsof',
  // Terminal.
  'stty',
  'tty',
  'clear',
  'tput',
  // Namespaces, mounts, IPC, network.
  'mount',
  'umount',
  'findmnt',
  'chroot',
  'nsenter',
  'unshare',
  'setsid',
  'lsns',
  'ipcs',
  'ipcmk',
  'ipcrm',
  'ip',
  'ss',
];

/** On merged-/usr hosts these are symlinks (bin -> usr/bin); the rootfs gets them exactly as the host has them. */
const TOP_LEVEL_DIRS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/** top, less, clear and vi read these at run time; copied from every terminfo directory the host has. */
const TERMINFO_DIRS = ['/etc/terminfo', '/lib/terminfo', '/usr/share/terminfo'];
// top falls back to "dumb" when its output is not a terminal (top -b | head).
const TERMINFO_ENTRIES = ['xterm', 'xterm-256color', 'linux', 'vt100', 'screen', 'screen-256color', 'dumb'];

/** Empty directories of the rootfs with their modes; /proc, /sys, /dev are mount points for the runtime. */
const EMPTY_DIRS: readonly (readonly [string, number])[] = [
  ['/proc', 0o555],
  ['/sys', 0o555],
  ['/dev', 0o755],
  ['/tmp', 0o1777],
  ['/root', 0o700],
  ['/etc', 0o755],
  ['/run', 0o755],
  ['/var', 0o755],
  ['/var/tmp', 0o1777],
  ['/home', 0o755],
];

const ETC_FILES: Readonly<Record<string, string>> = {
  '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  '/etc/group': 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n',
  '/etc/hostname': 'baby-docker\n',
  // With a vimrc of its own vim skips its defaults.vim, which needs runtime files the rootfs does not carry.
  '/root/.vimrc': 'set nocompatible\n',
  '/etc/hosts': '127.0.0.1\tlocalhost\n::1\tlocalhost\n',
  // Only the "files" service: no other NSS module is copied.
  '/etc/nsswitch.conf': 'passwd: files\ngroup: files\nshadow: files\nhosts: files\nnetworks: files\nprotocols: files\nservices: files\n',
  '/etc/os-release': 'NAME="baby-docker rootfs"\nID=baby-docker\nPRETTY_NAME="baby-docker rootfs"\n',
};

/** Same limit as Linux's MAXSYMLINKS. */
const MAX_SYMLINKS = 40;

/** Suggested fixes for the errno codes a build typically fails with. */
const FIX_BY_ERRNO: Readonly<Record<string, string>> = {
  EACCES: 'choose a directory you can write to, or run as root',
  EPERM: 'choose a directory you can write to, or run as root',
  EROFS: 'choose a directory on a writable filesystem',
  ENOSPC: 'free some disk space or choose another filesystem',
  ENOTDIR: 'a component of the path is not a directory; choose another path',
};

/** A rootfs that could not be built: a runtime failure (exit code 125). */
export class RootfsError extends RuntimeError {
  override name = 'RootfsError';
}

/**
 * Build a rootfs in `dir` (created if missing; must be empty or not exist, else RootfsError), with the host's
 * ROOTFS_PROGRAMS and `extraPrograms` (a bench's or a test's own tools, as iperf3). Returns the list of programs copied.
 */
export function createRootfs(dir: string, extraPrograms: readonly string[] = []): string[] {
  const root = path.resolve(dir);
  let createdRoot: boolean;
  try {
    createdRoot = prepareEmptyDir(root);
  } catch (err) {
    throw toRootfsError(root, err);
  }
  try {
    return buildTree(root, [...ROOTFS_PROGRAMS, ...extraPrograms]);
  } catch (err) {
    removeBuiltTree(root, createdRoot);
    throw toRootfsError(root, err);
  }
}

/**
 * Return DEFAULT_ROOTFS_DIR (or `dir`), building it first if it does not exist
 * yet. A built one is used as it is: the runtime writes into a rootfs only
 * while it builds it, never into one a container has run in (where any path
 * may be a link out of it). Remove it to have it rebuilt.
 */
export function ensureDefaultRootfs(dir: string = DEFAULT_ROOTFS_DIR): string {
  const target = path.resolve(dir);
  try {
    if (target.startsWith(`${STORAGE_DIR}/`)) {
      fs.mkdirSync(STORAGE_DIR, { recursive: true, mode: 0o700 });
      if ((fs.statSync(STORAGE_DIR).mode & 0o777) !== 0o700) fs.chmodSync(STORAGE_DIR, 0o700); // made by an earlier version
    }
    if (isBuiltRootfs(target)) return target;
    fs.mkdirSync(path.dirname(target), { recursive: true });
  } catch (err) {
    throw toRootfsError(target, err);
  }
  // Build beside the target and rename it into place: rename is atomic, so a
  // crash or a concurrent caller never sees a half-built tree at `target`.
  const staging = `${target}.building-${process.pid}-${randomHex(4)}`;
  createRootfs(staging);
  try {
    fs.renameSync(staging, target);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    // Another process renamed its complete tree into place first: use theirs.
    if (!isBuiltRootfs(target)) throw toRootfsError(target, err);
  }
  return target;
}

/** A non-empty directory at `dir` is a complete rootfs, since it only ever appears there by an atomic rename. */
function isBuiltRootfs(dir: string): boolean {
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  if (stat !== undefined && !stat.isDirectory()) {
    throw new RootfsError(`${dir} exists and is not a directory; remove it so the rootfs can be built there`);
  }
  return stat !== undefined && fs.readdirSync(dir).length > 0;
}

/** Check that `root` is empty or missing and create it; returns whether it was created. */
function prepareEmptyDir(root: string): boolean {
  const stat = fs.statSync(root, { throwIfNoEntry: false });
  if (stat !== undefined) {
    if (!stat.isDirectory()) {
      throw new RootfsError(`${root} exists and is not a directory; pass the path of an empty or missing directory`);
    }
    if (fs.readdirSync(root).length > 0) {
      throw new RootfsError(`${root} is not empty; empty it or pass the path of an empty or missing directory`);
    }
    return false;
  }
  const parent = path.dirname(root);
  if (!fs.statSync(parent, { throwIfNoEntry: false })?.isDirectory()) {
    throw new RootfsError(`parent directory ${parent} does not exist; create it first`);
  }
  fs.mkdirSync(root);
  return true;
}

/** Leave nothing behind after a failed build: the directory if we created it, else only its contents. */
function removeBuiltTree(root: string, createdRoot: boolean): void {
  if (createdRoot) {
    fs.rmSync(root, { recursive: true, force: true });
    return;
  }
  for (const name of fs.readdirSync(root)) fs.rmSync(path.join(root, name), { recursive: true, force: true });
}

function buildTree(root: string, programs: readonly string[]): string[] {
  // A rootfs's / must be traversable by every user.
  fs.chmodSync(root, 0o755);
  const ldd = findHostProgram('ldd');
  if (ldd === undefined) throw new RootfsError('ldd not found on the host; install it (apt-get install libc-bin)');

  for (const dir of TOP_LEVEL_DIRS) {
    if (fs.lstatSync(dir, { throwIfNoEntry: false }) !== undefined) copyHostPath(root, dir);
  }
  for (const [dir, mode] of EMPTY_DIRS) {
    const rootfsDir = path.join(root, dir);
    fs.mkdirSync(rootfsDir, { recursive: true });
    fs.chmodSync(rootfsDir, mode);
  }

  const copied: string[] = [];
  const libraryDirs = new Set<string>();
  for (const name of programs) {
    const program = findHostProgram(name);
    const libraries = program === undefined ? undefined : sharedLibraries(ldd, program);
    if (program === undefined || libraries === undefined) {
      if (name === 'sh') {
        throw new RootfsError(`no working sh on the host (looked in ${HOST_PATH.join(':')}); install dash`);
      }
      continue;
    }
    for (const file of [program, ...libraries]) copyHostPath(root, file);
    for (const library of libraries) libraryDirs.add(path.dirname(library));
    copied.push(name);
  }
  copyNssFiles(root, ldd, libraryDirs);
  copyTerminfo(root);
  installProbe(root);
  for (const [file, content] of Object.entries(ETC_FILES)) {
    // 'wx' never follows a symlink that might already sit at that path.
    fs.writeFileSync(path.join(root, file), content, { flag: 'wx', mode: 0o644 });
  }
  return copied;
}

/** /usr/local/bin/bd-probe: the labs' probe (native/probe.c), static, so it runs in any rootfs. Only into a tree being built. */
function installProbe(root: string): void {
  const target = path.join(root, 'usr', 'local', 'bin', 'bd-probe');
  if (!fs.existsSync(PROBE_PATH)) return;
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    fs.copyFileSync(PROBE_PATH, target);
    fs.chmodSync(target, 0o755);
  } catch (err) {
    throw toRootfsError(root, err);
  }
}

function findHostProgram(name: string): string | undefined {
  return HOST_PATH.map((dir) => path.join(dir, name)).find(isExecutableFile);
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The shared libraries and dynamic loader `file` needs, as absolute paths
 * parsed from ldd; [] for static binaries and scripts, undefined when a
 * library is missing on the host (the program cannot run there either).
 */
function sharedLibraries(ldd: string, file: string): string[] | undefined {
  let output: string;
  try {
    output = execFileSync(ldd, [file], {
      encoding: 'utf8',
      env: { LC_ALL: 'C', PATH: HOST_PATH.join(':') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    // Scripts: their interpreter (sh) is copied as a program of its own.
    if (`${stdout}${stderr}`.includes('not a dynamic executable')) return [];
    throw new RootfsError(`ldd ${file} failed: ${oneLine(stderr || String(err))}; check that ${file} is intact`);
  }
  if (output.includes('=> not found')) return undefined;
  // "libc.so.6 => /lib/.../libc.so.6 (0x...)" and the loader "/lib64/ld-linux-x86-64.so.2 (0x...)";
  // linux-vdso has no path, so the leading "/" skips it.
  return [...output.matchAll(/^\s*(?:\S+ => )?(\/\S+) \(0x[0-9a-f]+\)$/gm)].map((match) => match[1]);
}

/** glibc loads libnss_files by name at run time (getpwuid for id, ps, ls -l), so ldd does not list it. */
function copyNssFiles(root: string, ldd: string, libraryDirs: Set<string>): void {
  for (const dir of libraryDirs) {
    for (const name of fs.readdirSync(dir).filter((entry) => entry.startsWith('libnss_files.so'))) {
      const library = path.join(dir, name);
      for (const file of [library, ...(sharedLibraries(ldd, library) ?? [])]) copyHostPath(root, file);
    }
  }
}

function copyTerminfo(root: string): void {
  for (const dir of TERMINFO_DIRS) {
    for (const name of TERMINFO_ENTRIES) {
      const entry = path.join(dir, name[0], name);
      if (fs.existsSync(entry)) copyHostPath(root, entry);
    }
  }
}

/**
 * Copy the host's `hostPath` to the same path under `root`, resolving it one
 * component at a time like the kernel does: each symlink met on the way is
 * recreated in the rootfs with the host's target, then followed on the host;
 * directories are created and the final file is copied, both with the host's
 * mode bits. Writes only go to paths that contain no symlink, so an absolute
 * symlink in the rootfs can never redirect a write to the host.
 */
function copyHostPath(root: string, hostPath: string, symlinksFollowed = 0): void {
  if (symlinksFollowed > MAX_SYMLINKS) {
    throw new RootfsError(`too many levels of symlinks resolving ${hostPath} on the host; fix the host's symlinks`);
  }
  const names = hostPath.split('/').filter((name) => name !== '' && name !== '.');
  let realDir = '/'; // the host directory reached so far; contains no symlink
  for (const [index, name] of names.entries()) {
    if (name === '..') {
      realDir = path.dirname(realDir);
      continue;
    }
    const hostEntry = path.join(realDir, name);
    const rootfsEntry = path.join(root, hostEntry);
    const stat = fs.lstatSync(hostEntry);
    const alreadyCopied = fs.lstatSync(rootfsEntry, { throwIfNoEntry: false }) !== undefined;
    if (stat.isSymbolicLink()) {
      const target = fs.readlinkSync(hostEntry);
      if (!alreadyCopied) fs.symlinkSync(target, rootfsEntry);
      const targetPath = target.startsWith('/') ? target : `${realDir}/${target}`;
      copyHostPath(root, [targetPath, ...names.slice(index + 1)].join('/'), symlinksFollowed + 1);
      return;
    }
    if (!alreadyCopied) {
      if (stat.isDirectory()) fs.mkdirSync(rootfsEntry);
      else if (stat.isFile()) fs.copyFileSync(hostEntry, rootfsEntry, fs.constants.COPYFILE_EXCL);
      else throw new RootfsError(`${hostEntry} on the host is neither a file, a directory nor a symlink; it cannot be copied`);
      fs.chmodSync(rootfsEntry, stat.mode & 0o7777);
    }
    realDir = hostEntry;
  }
}

function toRootfsError(dir: string, err: unknown): RootfsError {
  if (err instanceof RootfsError) return err;
  const fix = FIX_BY_ERRNO[(err as NodeJS.ErrnoException).code ?? ''];
  const reason = oneLine(err instanceof Error ? err.message : String(err));
  return new RootfsError(`cannot build a rootfs in ${dir}: ${reason}${fix === undefined ? '' : `; ${fix}`}`);
}

function oneLine(text: string): string {
  return text.trim().split('\n')[0];
}
