/**
 * Paths as a container sees them, looked up from the host: inside a rootfs,
 * with its links resolved against the rootfs (an absolute link names a path
 * in it, ".." stops at its root), never out of it. For checks as a person
 * types (the picker), not for what the runtime writes: a rootfs can change
 * between a check and a run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_ROOTFS_DIR } from './rootfs.js';
import { DEFAULT_PATH } from './spec.js';

/** Links followed in one lookup before it gives up, as the kernel's ELOOP limit. */
const MAX_LINKS = 40;

/** The host path of `inside` (absolute, in the container's view) under `rootfs`, its links resolved there; null if it does not exist. */
export function resolveInRootfs(rootfs: string, inside: string): string | null {
  const resolved: string[] = [];
  let pending = inside.split('/').filter((part) => part !== '' && part !== '.');
  let links = 0;
  while (pending.length > 0) {
    const [part, ...rest] = pending;
    pending = rest;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const host = path.join(rootfs, ...resolved, part);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(host);
    } catch {
      return null;
    }
    if (!stat.isSymbolicLink()) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) return null;
    const target = fs.readlinkSync(host);
    if (target.startsWith('/')) resolved.length = 0;
    pending = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...pending];
  }
  return path.join(rootfs, ...resolved);
}

/**
 * Where the container would find the program `command` names (a path, or a
 * name looked up on the default PATH), as a path inside it; null when it has
 * no such executable file.
 */
export function findCommandInRootfs(rootfs: string, command: string): string | null {
  const candidates = command.includes('/') ? [path.posix.resolve('/', command)] : DEFAULT_PATH.split(':').map((dir) => `${dir}/${command}`);
  return candidates.find((inside) => isExecutableFile(resolveInRootfs(rootfs, inside))) ?? null;
}

function isExecutableFile(host: string | null): boolean {
  if (host === null) return false;
  try {
    const stat = fs.lstatSync(host); // resolveInRootfs left no link at its end
    return stat.isFile() && (stat.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * The command when none is named: the rootfs's shell, bash where it has one
 * (line editing, history), else sh. The default rootfs, until it is made,
 * answers as the host does: it is made of the host's programs.
 */
export function defaultCommand(rootfs: string): string[] {
  const dir = rootfs === 'default' ? (fs.existsSync(DEFAULT_ROOTFS_DIR) ? DEFAULT_ROOTFS_DIR : '/') : rootfs;
  return [findCommandInRootfs(dir, '/bin/bash') ? '/bin/bash' : '/bin/sh'];
}
