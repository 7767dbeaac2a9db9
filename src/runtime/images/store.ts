/**
 * The image store under IMAGES_DIR: content-addressed blobs, verified as they
 * are written; the index of local images (name -> manifest digest); and the
 * unpacked layers, one directory per diff_id, shared between images.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RuntimeError } from '../errors.js';
import { BLOBS_DIR, IMAGE_INDEX_FILE, IMAGE_LAYERS_DIR, IMAGES_DIR, PARTIAL_BLOBS_DIR, STORAGE_DIR } from '../paths.js';
import { checkManifest, imageConfig, type ConfigBlob, type ImageConfig, type Manifest } from './oci.js';
import { DIGEST, parseReference, referenceName } from './reference.js';

export interface LocalImage {
  /** Normalized, e.g. docker.io/library/alpine:3.19; an image loaded without a name has its manifest digest. */
  name: string;
  /** The config digest, sha256:…, as Docker's image id. */
  id: string;
  /** The unpacked layer directories, bottom first. */
  layers: string[];
  config: ImageConfig;
}

/** A local image with what `images` shows besides. */
export interface ImageSummary extends LocalImage {
  manifest: string;
  /** The layers' size as stored (compressed as pulled). */
  size: number;
  created: Date | null;
}

export function ensureStoreDirs(): void {
  for (const dir of [STORAGE_DIR, IMAGES_DIR, BLOBS_DIR, path.join(BLOBS_DIR, 'sha256'), PARTIAL_BLOBS_DIR, IMAGE_LAYERS_DIR]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
}

export function digestHex(digest: string): string {
  if (!DIGEST.test(digest)) throw new RuntimeError(`not a sha256 digest: ${digest}`);
  return digest.slice('sha256:'.length);
}

/** 12 hex digits of a digest, as Docker shows ids. */
export function shortId(digest: string): string {
  return digestHex(digest).slice(0, 12);
}

export function blobPath(digest: string): string {
  return path.join(BLOBS_DIR, 'sha256', digestHex(digest));
}

export function hasBlob(digest: string): boolean {
  return fs.existsSync(blobPath(digest));
}

export function layerDir(diffId: string): string {
  return path.join(IMAGE_LAYERS_DIR, digestHex(diffId));
}

/** A temporary name in dir for something made whole before it is renamed into place; prune removes those left. */
export function temporaryPath(dir: string): string {
  return path.join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
}

export function digestMismatch(what: string, expected: string, got: string): RuntimeError {
  return new RuntimeError(`digest mismatch for ${what}: expected ${expected}, got ${got}`);
}

/** Verify `file` holds `digest` and move it into the store as that blob. */
export function commitBlob(file: string, digest: string, actual: string, what: string): void {
  if (actual !== digest) {
    fs.rmSync(file, { force: true });
    throw digestMismatch(what, digest, actual);
  }
  fs.renameSync(file, blobPath(digest));
}

/** Store bytes as a blob; their digest is returned (and must be `expected` when given). */
export function writeBlob(data: Buffer, expected?: string): string {
  ensureStoreDirs();
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  if (!hasBlob(expected ?? digest)) {
    const tmp = temporaryPath(path.join(BLOBS_DIR, 'sha256'));
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    commitBlob(tmp, expected ?? digest, digest, expected ?? 'a blob');
  }
  return digest;
}

/** What addBlobFromFile reads, hashes and writes at a time. */
const COPY_CHUNK = 1024 * 1024;

/**
 * Copy a file into the store as a blob, hashing it on the way: in one buffer, read, hashed and written
 * in turn, which here takes half the time of streams, whose every chunk is a trip through libuv's thread
 * pool and a fresh buffer. (For the CLI's load and import: nothing else waits meanwhile.)
 */
export function addBlobFromFile(file: string): { digest: string; size: number } {
  ensureStoreDirs();
  const tmp = temporaryPath(path.join(BLOBS_DIR, 'sha256'));
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(COPY_CHUNK);
  let size = 0;
  let from: number | null = null;
  let to: number | null = null;
  try {
    from = fs.openSync(file, 'r');
    to = fs.openSync(tmp, 'wx', 0o600);
    for (let n; (n = fs.readSync(from, buffer, 0, COPY_CHUNK, null)) > 0; size += n) {
      hash.update(buffer.subarray(0, n));
      for (let at = 0; at < n;) at += fs.writeSync(to, buffer, at, n - at);
    }
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new RuntimeError(`read ${file}: ${(err as Error).message}`);
  } finally {
    if (from !== null) fs.closeSync(from);
    if (to !== null) fs.closeSync(to);
  }
  const digest = `sha256:${hash.digest('hex')}`;
  if (hasBlob(digest)) fs.rmSync(tmp);
  else fs.renameSync(tmp, blobPath(digest));
  return { digest, size };
}

export function readBlobJson<T>(digest: string): T {
  return JSON.parse(fs.readFileSync(blobPath(digest), 'utf8')) as T;
}

type Index = Record<string, string>;

function readIndex(): Index {
  try {
    return JSON.parse(fs.readFileSync(IMAGE_INDEX_FILE, 'utf8')) as Index;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
}

/** Written whole to a temporary file and renamed, so a reader never sees half of it. */
function writeIndex(index: Index): void {
  ensureStoreDirs();
  const tmp = temporaryPath(IMAGES_DIR);
  fs.writeFileSync(tmp, `${JSON.stringify(index, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, IMAGE_INDEX_FILE);
}

/** A lock directory older than this lost its process: a change of the index takes milliseconds. */
const INDEX_LOCK_STALE_MS = 5000;
const INDEX_LOCK_WAIT_MS = 10_000;

/** Change the index, one process at a time: two pulls ending together would otherwise each write
 * what it read, and one name would be lost. The lock is a directory (mkdir is atomic). */
function changeIndex<T>(change: (index: Index) => T): T {
  ensureStoreDirs();
  const lock = `${IMAGE_INDEX_FILE}.lock`;
  const giveUp = Date.now() + INDEX_LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.mkdirSync(lock, { mode: 0o700 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let age: number;
    try {
      age = Date.now() - fs.statSync(lock).mtimeMs;
    } catch {
      continue; // released meanwhile
    }
    if (age > INDEX_LOCK_STALE_MS) fs.rmSync(lock, { recursive: true, force: true });
    else if (Date.now() > giveUp) throw new RuntimeError(`the image index is busy (${lock}): another baby-docker is changing it; try again`);
    else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // a short, synchronous wait
  }
  try {
    const index = readIndex();
    const result = change(index);
    writeIndex(index);
    return result;
  } finally {
    fs.rmdirSync(lock);
  }
}

/** Name `name` (normalized, or a manifest digest for an image without one) the image of `manifest`, whose blobs and layers are in place. */
export function tagImage(name: string, manifest: string): LocalImage {
  changeIndex((index) => (index[name] = manifest));
  return summary(name, manifest);
}

function summary(name: string, manifestDigest: string): ImageSummary {
  const manifest = checkManifest(readBlobJson<Manifest>(manifestDigest), name);
  const config = readBlobJson<ConfigBlob>(manifest.config.digest);
  return {
    name,
    id: manifest.config.digest,
    layers: config.rootfs.diff_ids.map(layerDir),
    config: imageConfig(config),
    manifest: manifestDigest,
    size: manifest.layers.reduce((sum, layer) => sum + layer.size, 0),
    created: config.created ? new Date(config.created) : null,
  };
}

export function listImages(): ImageSummary[] {
  return Object.entries(readIndex()).map(([name, manifest]) => summary(name, manifest));
}

/** The image named `ref` (as typed, normalized here), or by id or a unique prefix of one (with or without sha256:), and which of the two matched. */
function lookup(ref: string): { image: ImageSummary; byName: boolean } | null {
  const images = listImages();
  let name: string | null = null;
  try {
    name = referenceName(parseReference(ref));
  } catch {
    // not a name: maybe an id
  }
  const named = images.find((image) => image.name === name || image.name === ref);
  if (named) return { image: named, byName: true };
  const prefix = ref.startsWith('sha256:') ? ref : `sha256:${ref}`;
  if (!/^sha256:[0-9a-f]{1,64}$/.test(prefix)) return null;
  const matching = images.filter((image) => image.id.startsWith(prefix));
  return matching.length > 0 && matching.every((image) => image.id === matching[0].id) ? { image: matching[0], byName: false } : null;
}

export function findImage(ref: string): ImageSummary | null {
  return lookup(ref)?.image ?? null;
}

/** What an image's manifest holds: its blobs' and its unpacked layers' hex names. */
function contents(name: string, manifestDigest: string): { blobs: string[]; layers: string[] } {
  const manifest = checkManifest(readBlobJson<Manifest>(manifestDigest), name);
  return {
    blobs: [manifestDigest, manifest.config.digest, ...manifest.layers.map((layer) => layer.digest)].map(digestHex),
    layers: readBlobJson<ConfigBlob>(manifest.config.digest).rootfs.diff_ids.map(digestHex),
  };
}

/** The blobs and layers the local images use. */
function used(): { blobs: Set<string>; layers: Set<string> } {
  const all = Object.entries(readIndex()).map(([name, manifest]) => contents(name, manifest));
  return { blobs: new Set(all.flatMap((c) => c.blobs)), layers: new Set(all.flatMap((c) => c.layers)) };
}

/** Remove the image named `ref`, or every name of the image with that id; then its blobs and layers that
 * no image uses any more (only those: a pull under way has others not yet named). Returns the names removed. */
export function removeImage(ref: string): string[] {
  const found = lookup(ref);
  if (!found) throw new RuntimeError(`no such image: ${ref}`);
  const removed = found.byName
    ? [found.image.name]
    : listImages()
        .filter((image) => image.id === found.image.id)
        .map((image) => image.name);
  const candidates = changeIndex((index) => {
    const gone = removed.map((name) => contents(name, index[name]));
    for (const name of removed) delete index[name];
    return gone;
  });
  const still = used();
  for (const hex of new Set(candidates.flatMap((c) => c.blobs)))
    if (!still.blobs.has(hex)) fs.rmSync(path.join(BLOBS_DIR, 'sha256', hex), { force: true });
  for (const hex of new Set(candidates.flatMap((c) => c.layers)))
    if (!still.layers.has(hex)) fs.rmSync(path.join(IMAGE_LAYERS_DIR, hex), { recursive: true, force: true });
  return removed;
}

function entriesOf(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** `image prune`: remove every blob and layer no local image uses, interrupted downloads and anything
 * half-made (as with Docker, not while a pull runs). Returns how many things went. */
/** Remove those of `digests` no local image uses: the blobs an import or commit stored before it failed (bad input leaves nothing). */
export function removeUnusedBlobs(digests: string[]): void {
  const { blobs } = used();
  for (const digest of digests) {
    const hex = digestHex(digest);
    if (!blobs.has(hex)) fs.rmSync(path.join(BLOBS_DIR, 'sha256', hex), { force: true });
  }
}

export function pruneImages(): number {
  const { blobs, layers } = used();
  let removed = 0;
  const sweep = (dir: string, keep: (name: string) => boolean): void => {
    for (const name of entriesOf(dir)) {
      if (keep(name)) continue;
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
      removed++;
    }
  };
  sweep(path.join(BLOBS_DIR, 'sha256'), (name) => blobs.has(name));
  sweep(IMAGE_LAYERS_DIR, (name) => layers.has(name));
  sweep(PARTIAL_BLOBS_DIR, () => false);
  return removed;
}
