/**
 * A run's writable layer (see native/layer.h): each run writes into an ext4
 * filesystem of its own, a copy of a template made once per size with
 * mkfs.ext4, overlaid on the rootfs. Kept layers are files here too, named
 * by the run's id, for a later run to go on in.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RuntimeError } from './errors.js';
import { LAYERS_DIR, STORAGE_DIR } from './paths.js';
import { randomHex } from './random.js';

/** How a run gets its writable layer: a fresh copy of `template` (kept at
 * `keep` after the run when set), or the kept layer `reuse` as it was left. */
export type LayerPlan = { template: string; keep: string | null } | { reuse: string };

/** Where run `id` keeps its layer: in LAYERS_DIR, or in a session's directory (sessionLayersDir). */
export function keptLayerPath(id: string, dir: string = LAYERS_DIR): string {
  return path.join(dir, `${id}.ext4`);
}

/** The kept layer of run `id`, or a RuntimeError saying there is none. */
export function findKeptLayer(id: string, dir: string = LAYERS_DIR): string {
  const file = keptLayerPath(id, dir);
  if (!/^[0-9a-f]{1,64}$/.test(id) || !fs.existsSync(file)) {
    throw new RuntimeError(`no kept layer of run ${id}: only a run started with --keep leaves one`);
  }
  return file;
}

/** Remove run `id`'s kept layer; true if there was one. */
export function removeKeptLayer(id: string, dir: string = LAYERS_DIR): boolean {
  try {
    fs.unlinkSync(keptLayerPath(id, dir));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** A process and when it started (clock ticks since boot): together they name it, a PID alone may be reused. */
function processTag(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return `${pid}-${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch {
    return null;
  }
}

/** A directory for the layers this process keeps only while it lives (the
 * TUI's, to re-run on the last run's changes): removed when it exits, or, if
 * it is killed, by collectSessionLayers once it has gone. */
export function sessionLayersDir(): string {
  const dir = path.join(LAYERS_DIR, `session-${processTag(process.pid)}`);
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(LAYERS_DIR, { recursive: true, mode: 0o700 });
    fs.mkdirSync(dir, { mode: 0o700 });
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return dir;
}

/** Remove the session directories of processes that have gone; how many. */
export function collectSessionLayers(): number {
  let entries: string[];
  try {
    entries = fs.readdirSync(LAYERS_DIR);
  } catch {
    return 0;
  }
  let collected = 0;
  for (const name of entries) {
    const tag = /^session-((\d+)-\d+)$/.exec(name);
    if (!tag || processTag(Number(tag[2])) === tag[1]) continue;
    fs.rmSync(path.join(LAYERS_DIR, name), { recursive: true, force: true });
    collected++;
  }
  return collected;
}

/** The template for layers of `bytes`, made on first use: a sparse file
 * with an empty ext4 (no journal: a layer lives for a run or two). */
export function ensureLayerTemplate(bytes: number): string {
  const file = path.join(LAYERS_DIR, `template-${bytes}.ext4`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(STORAGE_DIR, { recursive: true, mode: 0o700 });
  fs.mkdirSync(LAYERS_DIR, { recursive: true, mode: 0o700 });
  // Made beside it and renamed into place: a concurrent run never copies half a template.
  const staging = `${file}.new-${process.pid}-${randomHex(4)}`;
  try {
    fs.writeFileSync(staging, '', { mode: 0o600, flag: 'wx' });
    fs.truncateSync(staging, bytes);
    execFileSync('mkfs.ext4', ['-q', '-F', '-O', '^has_journal', '-E', 'nodiscard,lazy_itable_init=1', '-m', '0', staging], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    fs.renameSync(staging, file);
  } catch (err) {
    fs.rmSync(staging, { force: true });
    const error = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (error.code === 'ENOENT' && error.syscall?.startsWith('spawn')) {
      throw new RuntimeError('mkfs.ext4 is missing: install e2fsprogs (apt-get install e2fsprogs), or run with --rootfs-rw');
    }
    const detail = error.stderr?.toString().trim().split('\n')[0] || error.message;
    throw new RuntimeError(`cannot make a ${bytes}-byte layer in ${LAYERS_DIR}: ${detail}`);
  }
  return file;
}
