/**
 * Unpack a layer blob into its directory in the store, in overlayfs format.
 * node-tar reads the tar; the files are made by native/image_fs.c, which
 * never follows a symlink: node-tar's own Unpack would rewrite absolute
 * symlinks (`/bin/sh -> /bin/busybox`) into relative ones, refuse symlinks
 * through symlinks, force directories to u+rwx and lose setuid bits to its
 * chown, none of which an image may have.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { Parser, type ReadEntry } from 'tar';
import { RuntimeError } from '../errors.js';
import { addon, type ImageEntry } from '../native.js';
import { IMAGE_LAYERS_DIR } from '../paths.js';
import { blobPath, digestMismatch, ensureStoreDirs, layerDir, temporaryPath } from './store.js';

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

/** A zstd stream decompressed (Node 20 has no zstd of its own). */
function zstdDecompressor(): Transform {
  let decompress: Decompress;
  return new Transform({
    construct(done) {
      decompress = new Decompress((chunk) => this.push(Buffer.from(chunk)));
      done();
    },
    transform(chunk: Buffer, _encoding, done) {
      try {
        decompress.push(chunk);
        done();
      } catch (err) {
        done(new RuntimeError(`bad zstd data: ${(err as Error).message}`));
      }
    },
    flush(done) {
      try {
        decompress.push(new Uint8Array(0), true);
        done();
      } catch (err) {
        done(new RuntimeError(`bad zstd data: ${(err as Error).message}`));
      }
    },
  });
}

export type Compression = 'gzip' | 'zstd' | null;

/** A blob's compression, told by its first bytes, as Docker does, whatever the manifest says. */
function compressionOfBytes(magic: Buffer): Compression {
  if (magic[0] === 0x1f && magic[1] === 0x8b) return 'gzip';
  if (magic.length >= 4 && magic.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return null;
}

/** The compression of the blob in `file` (compressionOfBytes). */
export function compressionOf(file: string): Compression {
  const magic = Buffer.alloc(4);
  const fd = fs.openSync(file, 'r');
  try {
    return compressionOfBytes(magic.subarray(0, fs.readSync(fd, magic, 0, 4, 0)));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * What zlib inflates at a time: every chunk is a trip through libuv's thread pool, and at its default
 * 16 KiB a layer waits longer between trips than it takes to inflate; at 1 MiB and more each chunk is
 * a fresh mmap, slower again.
 */
const INFLATE_CHUNK = 64 * 1024;

/** The tar in a blob's bytes, given their compression; an error of `raw` (a download cut off) ends it with that error. */
function tarStream(raw: AsyncIterable<Buffer>, compression: Compression): AsyncIterable<Buffer> {
  if (!compression) return raw;
  const tar = compression === 'gzip' ? createGunzip({ chunkSize: INFLATE_CHUNK }) : zstdDecompressor();
  pipeline(raw, tar, () => {}); // its error destroys `tar`, whose reader gets it
  return tar;
}

/**
 * A blob's bytes and their compression, told by the first of them. The source is closed when `bytes` is left
 * part-read, or by `close` when it is not read at all.
 */
async function withCompression(
  raw: AsyncIterable<Buffer>,
): Promise<{ compression: Compression; bytes: AsyncIterable<Buffer>; close: () => Promise<unknown> }> {
  const source = raw[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  let ended = false;
  while (head.length < 4 && !ended) {
    const next = await source.next();
    if (next.done) ended = true;
    else head = Buffer.concat([head, next.value]);
  }
  async function* bytes(): AsyncGenerator<Buffer> {
    try {
      if (head.length > 0) yield head;
      for (let next; !ended && !(next = await source.next()).done;) yield next.value;
    } finally {
      await source.return?.();
    }
  }
  return { compression: compressionOfBytes(head), bytes: bytes(), close: async () => source.return?.() };
}

/** An entry's path inside the layer: leading `/` and `.` parts dropped (as tar and Docker do); `..` refused. */
function layerPath(name: string, what: string): string {
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw new RuntimeError(`${what}: refused the entry "${name}": it leads out of the layer`);
  return parts.join('/');
}

function times(entry: ReadEntry): { mtimeSec: number; mtimeNsec: number } {
  const ms = entry.mtime?.getTime() ?? 0;
  return { mtimeSec: Math.floor(ms / 1000), mtimeNsec: (ms - Math.floor(ms / 1000) * 1000) * 1e6 };
}

const DEVICE_TYPES: Partial<Record<string, ImageEntry['type']>> = { CharacterDevice: 'char', BlockDevice: 'block', FIFO: 'fifo' };

/** Write the layer's entries under root as they come; returns the sha256 of the uncompressed tar of a compressed blob. */
async function extract(raw: AsyncIterable<Buffer>, compression: Compression, root: string, what: string): Promise<string | null> {
  const native = addon();
  const hash = compression ? createHash('sha256') : null;
  const directories: [string, ImageEntry][] = [];
  let openFile: number | null = null;
  let failure: unknown = null;

  const onEntry = (entry: ReadEntry): void => {
    const rel = layerPath(entry.path, what);
    const owner = { mode: (entry.mode ?? 0) & 0o7777, uid: entry.uid ?? 0, gid: entry.gid ?? 0, ...times(entry) };
    const base = path.posix.basename(rel);
    const parent = path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel);
    if (base === OPAQUE_MARKER) {
      native.imageSetOpaque(root, parent);
    } else if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) {
      // aufs's own bookkeeping (.wh..wh.plnk and the like): nothing for overlayfs
    } else if (base.startsWith(WHITEOUT_PREFIX)) {
      // overlayfs's whiteout: a character device 0/0 under the deleted name
      native.imageMake(root, path.posix.join(parent, base.slice(WHITEOUT_PREFIX.length)), { ...owner, type: 'char', mode: 0, major: 0, minor: 0 });
    } else if (entry.type === 'Directory') {
      const dir = { ...owner, type: 'dir' as const };
      native.imageMake(root, rel, dir);
      directories.push([rel, dir]); // their mtimes again at the end: what is made inside changes them
    } else if (entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile') {
      const fd = native.imageOpenFile(root, rel);
      openFile = fd;
      entry.on('data', (chunk: Buffer) => {
        for (let at = 0; at < chunk.length;) at += fs.writeSync(fd, chunk, at);
      });
      entry.on('end', () => {
        fs.fchownSync(fd, owner.uid, owner.gid);
        fs.fchmodSync(fd, owner.mode); // after chown, which clears setuid and setgid
        fs.futimesSync(fd, entry.mtime ?? 0, entry.mtime ?? 0);
        fs.closeSync(fd);
        openFile = null;
      });
      return;
    } else if (entry.type === 'SymbolicLink') {
      // Its text is kept as written: it is resolved inside the container, never here.
      native.imageMake(root, rel, { ...owner, type: 'symlink', target: entry.linkpath ?? '' });
    } else if (entry.type === 'Link') {
      native.imageMake(root, rel, { ...owner, type: 'hardlink', target: layerPath(entry.linkpath ?? '', what) });
    } else if (DEVICE_TYPES[entry.type]) {
      native.imageMake(root, rel, { ...owner, type: DEVICE_TYPES[entry.type]!, major: entry.header.devmaj ?? 0, minor: entry.header.devmin ?? 0 });
    } else {
      throw new RuntimeError(`${what}: entry "${entry.path}" has a type we cannot unpack: ${entry.type}`);
    }
    entry.resume();
  };

  const parser = new Parser({
    strict: true,
    onReadEntry: (entry) => {
      if (failure) return entry.resume();
      try {
        onEntry(entry);
      } catch (err) {
        failure = err;
        entry.resume();
      }
    },
  });
  // The parser's error (strict: a bad checksum, a truncated entry) is the layer's failure; kept, never left as a
  // rejection nobody awaits (the loop below stops at it), which would end the process.
  const ended = new Promise<void>((resolve) => {
    parser.on('end', resolve);
    parser.on('error', (err) => {
      failure ??= err;
      resolve();
    });
  });
  try {
    for await (const chunk of tarStream(raw, compression)) {
      if (failure) break;
      hash?.update(chunk as Buffer);
      parser.write(chunk as Buffer);
    }
    parser.end();
    await ended;
  } catch (err) {
    failure ??= err;
  }
  if (openFile !== null) fs.closeSync(openFile);
  if (failure) throw failure instanceof RuntimeError ? failure : new RuntimeError(`${what}: ${(failure as Error).message}`);
  for (const [rel, dir] of directories.reverse()) native.imageSetMtime(root, rel, dir.mtimeSec, dir.mtimeNsec);
  return hash && `sha256:${hash.digest('hex')}`;
}

/** The layer `diffId`, unpacked once from its stored blob `blob` (unpackLayerFrom). */
export async function unpackLayer(blob: string, diffId: string, what: string): Promise<void> {
  if (!fs.existsSync(layerDir(diffId))) await unpackLayerFrom(fs.createReadStream(blobPath(blob)), blob, diffId, what);
}

/**
 * The layer `diffId`, unpacked once from the bytes of blob `blob` as they come (from its file, or from a
 * download that checks the blob's digest before it ends).
 */
export async function unpackLayerFrom(raw: AsyncIterable<Buffer>, blob: string, diffId: string, what: string): Promise<void> {
  await unpackInto(raw, blob, diffId, what);
}

/**
 * A stored blob whose diff_id is not known yet (an imported tarball) unpacked in one pass, which learns it;
 * returns its diff_id.
 */
export async function unpackNewLayer(blob: string, what: string): Promise<string> {
  // An uncompressed blob is its own tar: its layer may be there already.
  if (compressionOf(blobPath(blob)) === null && fs.existsSync(layerDir(blob))) return blob;
  return unpackInto(fs.createReadStream(blobPath(blob)), blob, null, what);
}

/**
 * Unpack blob `blob` into a temporary directory, renamed into place as the layer of its uncompressed tar's
 * digest when whole and, with `expected`, when that is it. Returns the digest.
 */
async function unpackInto(raw: AsyncIterable<Buffer>, blob: string, expected: string | null, what: string): Promise<string> {
  ensureStoreDirs();
  const tmp = temporaryPath(IMAGE_LAYERS_DIR);
  fs.mkdirSync(tmp, { mode: 0o755 });
  let diffId = expected;
  try {
    const { compression, bytes, close } = await withCompression(raw);
    // An uncompressed blob is its own tar: its digest, verified as it is stored, is its diff_id.
    if (!compression && expected && blob !== expected) {
      await close();
      throw digestMismatch(`${what} (its uncompressed content)`, expected, blob);
    }
    diffId = (await extract(bytes, compression, tmp, what)) ?? blob;
    if (expected && diffId !== expected) throw digestMismatch(`${what} (its uncompressed content)`, expected, diffId);
    fs.renameSync(tmp, layerDir(diffId));
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    // Another pull of the same layer may have finished first: then it is there.
    if ((err as NodeJS.ErrnoException).code === 'ENOTEMPTY' && diffId && fs.existsSync(layerDir(diffId))) return diffId;
    throw err;
  }
  return diffId;
}
