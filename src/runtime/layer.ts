/**
 * A run's writable layer (see native/layer.h): each run writes into an ext4
 * filesystem of its own, a copy of a template made once per size with
 * mkfs.ext4, overlaid on the rootfs. Kept layers are files here too, named
 * by the run's id, for a later run to go on in.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RuntimeError } from './errors.js';
import { LAYER_VIEW_PATH } from './native.js';
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

/** Remove run `id`'s kept layer and its record; true if there was a layer. */
export function removeKeptLayer(id: string, dir: string = LAYERS_DIR): boolean {
  fs.rmSync(keptRunRecordPath(keptLayerPath(id, dir)), { force: true });
  try {
    fs.unlinkSync(keptLayerPath(id, dir));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** What a kept run ran, as `commit` needs it to make an image of its layer. */
export interface KeptRun {
  id: string;
  /** A rootfs directory (real path), or an image by name and id (its config digest, which outlives a re-tag). */
  base: { dir: string } | { image: string; imageId: string };
  /** Its --name, by which commit finds it too. */
  name: string | null;
  command: string[];
  env: Record<string, string>;
  workdir: string | null;
  user: string | null;
}

/** The record beside a kept layer: LAYER.ext4 -> LAYER.json. */
export function keptRunRecordPath(layerFile: string): string {
  return layerFile.replace(/\.ext4$/, '.json');
}

/** Write the record of a run that keeps `layerFile`, whole or not at all (renamed into place). */
export function recordKeptRun(layerFile: string, run: KeptRun): void {
  const file = keptRunRecordPath(layerFile);
  const staging = `${file}.new-${process.pid}-${randomHex(4)}`;
  fs.writeFileSync(staging, `${JSON.stringify(run, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  fs.renameSync(staging, file);
}

/** The kept run `ref` names (its id, a unique start of one, or its recorded --name) and its layer file. */
export function findKeptRun(ref: string, dir: string = LAYERS_DIR): { run: KeptRun; layer: string } {
  const runs = listKeptRuns(dir);
  let found = runs.filter((run) => run.id === ref);
  if (found.length === 0 && /^[0-9a-f]+$/.test(ref)) found = runs.filter((run) => run.id.startsWith(ref));
  if (found.length === 0) found = runs.filter((run) => run.name === ref);
  if (found.length > 1) throw new RuntimeError(`"${ref}" names ${found.length} kept runs (${found.map((run) => run.id).join(', ')}): give one id`);
  if (found.length === 0) throw new RuntimeError(`no kept run "${ref}": give the id (or its start, or the --name) of a run started with --keep`);
  return { run: found[0], layer: keptLayerPath(found[0].id, dir) };
}

/** The records of the kept layers in dir (a layer kept before records were written has none, and is not listed). */
function listKeptRuns(dir: string): KeptRun[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => /^[0-9a-f]{1,64}\.json$/.test(name) && fs.existsSync(path.join(dir, name.replace(/\.json$/, '.ext4'))))
    .map((name) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as KeptRun);
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

/** A kept layer's upper/, shown read-only to this process by a helper (native/layer_view.c) while it is open. */
export interface LayerView {
  /** The upper directory: a path through the helper's /proc entry (its working directory), never a symlink itself. */
  upper: string;
  /** Let it go: the mount and the loop device are gone once this resolves. */
  close(): Promise<void>;
}

/** Open a view of the kept layer `file`: refused (one line) while a running container uses it. The mount is the
 * helper's alone and goes with it, however this process ends (it dies with us, and stdin closing ends it). */
export async function viewKeptLayer(file: string): Promise<LayerView> {
  const helper = spawn(LAYER_VIEW_PATH, [file], { stdio: ['pipe', 'pipe', 'pipe'], env: {} });
  let stderr = '';
  helper.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => helper.on('close', (code) => resolve(code)));
  const ready = await new Promise<boolean>((resolve, reject) => {
    helper.on('error', (err) => reject(new RuntimeError(`cannot start ${LAYER_VIEW_PATH}: ${err.message} (run npm install)`)));
    helper.stdout.setEncoding('utf8').on('data', (chunk: string) => chunk.includes('ready\n') && resolve(true));
    void exited.then(() => resolve(false));
  });
  if (!ready) {
    await exited;
    throw new RuntimeError(stderr.trim().split('\n')[0] || `cannot read the layer ${file}`);
  }
  return {
    upper: `/proc/${helper.pid}/cwd/.`, // "/." : the directory, not the magic link
    close: async () => {
      helper.stdin.end();
      const code = await exited;
      if (code !== 0) throw new RuntimeError(stderr.trim().split('\n')[0] || `the view of ${file} ended with code ${code}`);
    },
  };
}
