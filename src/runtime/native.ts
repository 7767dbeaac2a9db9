/** The native addon and the shim executable, built by node-gyp into build/Release. */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's own directory: this file sits in dist/src/runtime once compiled (the bundled TUI as deep, in dist/src/cli). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BUILD_DIR = path.join(PACKAGE_ROOT, 'build', 'Release');

export const SHIM_PATH = path.join(BUILD_DIR, 'baby-docker-shim');

let sealedShim: string | undefined;

/** What to exec as the shim: a sealed memfd copy of SHIM_PATH made once per
 * process (native/sealed_exe.h says why), named through our /proc entry. */
export function shimExecutable(): string {
  sealedShim ??= `/proc/${process.pid}/fd/${addon().sealedCopy(SHIM_PATH)}`;
  return sealedShim;
}
/** The helper that shows commit a kept layer, read-only (native/layer_view.c). */
export const LAYER_VIEW_PATH = path.join(BUILD_DIR, 'bd-layer-view');

/** The static probe (native/probe.c) the default rootfs carries for the labs. */
export const PROBE_PATH = path.join(BUILD_DIR, 'bd-probe');

export interface NativeStats {
  memory: { current: number; peak: number | null; limit: number | null; oomKills: number } | null;
  pids: { current: number; limit: number | null };
}

/** An entry of an image layer that native/image_fs.c makes (a regular file is opened by imageOpenFile instead). */
export interface ImageEntry {
  type: 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';
  /** Permission bits, setuid, setgid and sticky included. */
  mode: number;
  uid: number;
  gid: number;
  mtimeSec: number;
  mtimeNsec: number;
  /** A symlink's text, or a hardlink's path in the layer. */
  target?: string;
  major?: number;
  minor?: number;
}

/** A pty master served on a native thread (native/pty_master.c); see pty.ts. */
export type PtyMasterHandle = { readonly kind: 'pty master' };

interface Addon {
  readStats(version: number, memoryDir: string, pidsDir: string): NativeStats;
  readHostname(pid: number): string;
  /** A close-on-exec fd of a sealed memfd holding the file at `path`. */
  sealedCopy(path: string): number;
  /** Clean up after dead runs; removeBridge: the bridge too, when no run uses it (baby-docker gc). */
  gc(removeBridge: boolean): number;
  isLive(id: string): boolean;
  cgroupMode(): 'v1' | 'hybrid' | 'v2';
  /** Index of the first byte of a control character in UTF-8 `bytes` other than TAB, CR and LF, or -1 (for jump scrolling). */
  firstControl(bytes: Uint8Array): number;
  /** A pipe, both ends close-on-exec: [read, write]. */
  childPipe(): [number, number];
  /** Start `file` (native/child.c): its fd i is fds[i] (-1: /dev/null); onExit gets its code or signal number once reaped. */
  spawnChild(file: string, argv: string[], fds: number[], onExit: (code: number | null, signal: number | null) => void): number;
  /** A socket pair for a shim's --console-fd: [ours (non-blocking), the shim's], both close-on-exec. */
  consoleChannel(): [number, number];
  /** The pty master the shim sent on our end of the channel (checked to be one). */
  receiveConsole(ours: number): number;
  /** Serve the pty master `fd` (the handle's from now on); onReady is called when output (or the end) waits to be taken. */
  ptyMasterStart(fd: number, highWater: number, onReady: () => void): PtyMasterHandle;
  /** What waits, in whole UTF-8 characters; `ended` with the last of it, and `error` when reading failed. */
  ptyMasterTake(master: PtyMasterHandle): { data: Buffer | null; ended: boolean; error: string };
  /** Queued, written as the pty takes it. */
  ptyMasterWrite(master: PtyMasterHandle, data: Uint8Array): void;
  ptyMasterResize(master: PtyMasterHandle, cols: number, rows: number): void;
  ptyMasterPause(master: PtyMasterHandle, paused: boolean): void;
  /** The program has ended: end at the first quiet spell once what it left is read. */
  ptyMasterFinish(master: PtyMasterHandle): void;
  /** Once the end has been taken. */
  ptyMasterFree(master: PtyMasterHandle): void;
  /** Image layers (native/image_fs.h): paths are relative to the layer's root and never followed through a symlink. */
  imageOpenFile(root: string, rel: string): number;
  imageMake(root: string, rel: string, entry: ImageEntry): void;
  imageSetOpaque(root: string, rel: string): void;
  imageSetMtime(root: string, rel: string, sec: number, nsec: number): void;
  /** What overlayfs marked on an upper layer's entry (native/overlay_attr.h), never following a symlink. */
  overlayAttrs(path: string): { opaque: boolean; redirect: boolean; metacopy: boolean };
  shimKillSignal: number;
  stateRoot: string;
}

let loaded: Addon | undefined;

/** Loaded on first use: a plain `baby-docker run` never needs it. */
export function addon(): Addon {
  loaded ??= createRequire(import.meta.url)(path.join(BUILD_DIR, 'baby_docker.node')) as Addon;
  return loaded;
}
