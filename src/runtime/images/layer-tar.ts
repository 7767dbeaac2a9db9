/**
 * A directory tree as an image layer's tar (uncompressed), for commit: a
 * run's upper layer, whose overlayfs marks become OCI's (a 0/0 character
 * device, a deleted file, is a `.wh.NAME` file; an opaque directory gets a
 * `.wh..wh..opq` file), or a rootfs directory as it is. The tree is read
 * with lstat and readlink alone and files are opened O_NOFOLLOW: a symlink
 * of the tree is never followed, and no path leaves it. node-tar encodes the
 * headers (ustar, PAX for what does not fit); its Pack is not used, as it
 * drops device numbers and adds x bits to directories.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Header, Pax, type HeaderData } from 'tar';
import { RuntimeError } from '../errors.js';
import { addon } from '../native.js';

/** A run's upper layer (overlayfs marks converted), or a plain tree (the root directory's own entry included). */
export type TreeKind = 'upper' | 'tree';

const BLOCK = 512;
const CHUNK = 1024 * 1024;

/** Writes tar blocks to an fd, hashing them: the hash is the layer's diff_id. */
class TarWriter {
  private readonly hash = createHash('sha256');
  constructor(private readonly fd: number) {}

  write(data: Buffer): void {
    this.hash.update(data);
    for (let at = 0; at < data.length;) at += fs.writeSync(this.fd, data, at);
  }

  header(data: HeaderData): void {
    const header = new Header(data);
    // A path, link or number too long for ustar goes in a PAX header before it.
    if (header.encode())
      this.write(new Pax({ path: data.path, linkpath: data.linkpath, size: data.size, uid: data.uid, gid: data.gid, mtime: data.mtime }).encode());
    this.write(header.block!);
  }

  /** The end: two zero blocks. Returns the sha256 of all that was written. */
  end(): string {
    this.write(Buffer.alloc(2 * BLOCK));
    return `sha256:${this.hash.digest('hex')}`;
  }
}

/** Linux's dev_t split, as glibc's major() and minor() do. */
function deviceNumbers(rdev: bigint): { devmaj: number; devmin: number } {
  return {
    devmaj: Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn)),
    devmin: Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn)),
  };
}

/** A directory's names in byte order (a stable tar: the same tree, the same diff_id); a name that is not UTF-8 is refused. */
function names(dir: string, rel: string): string[] {
  return fs
    .readdirSync(dir, { encoding: 'buffer' })
    .map((raw) => {
      const name = raw.toString('utf8');
      if (!Buffer.from(name, 'utf8').equals(raw)) throw new RuntimeError(`cannot commit ${path.posix.join(rel, name)}: its name is not UTF-8`);
      return name;
    })
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Copy a regular file's data into the tar, padded; its size must not have changed since its lstat. */
function copyData(full: string, rel: string, size: number, out: TarWriter): void {
  const fd = fs.openSync(full, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK);
  try {
    const buffer = Buffer.alloc(CHUNK);
    let copied = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) break;
      copied += n;
      if (copied > size) break;
      out.write(buffer.subarray(0, n));
    }
    if (copied !== size) throw new RuntimeError(`cannot commit ${rel}: it changed while it was read`);
  } finally {
    fs.closeSync(fd);
  }
  if (size % BLOCK) out.write(Buffer.alloc(BLOCK - (size % BLOCK)));
}

/** Write the tree at `root` as an uncompressed tar to `fd`; returns its sha256 (the layer's diff_id). */
export function writeLayerTar(root: string, kind: TreeKind, fd: number): string {
  const out = new TarWriter(fd);
  const native = addon();
  // The first path of each inode with more than one link: the later ones are hardlinks to it.
  const linked = new Map<string, string>();

  const entry = (full: string, rel: string): void => {
    const st = fs.lstatSync(full, { bigint: true });
    const owner = { uid: Number(st.uid), gid: Number(st.gid), mtime: new Date(Number(st.mtimeMs)) };
    const mode = Number(st.mode) & 0o7777;
    const name = path.posix.basename(rel);
    const parent = path.posix.dirname(rel) === '.' ? '' : `${path.posix.dirname(rel)}/`;
    if (kind === 'upper' && st.isCharacterDevice() && st.rdev === 0n) {
      // overlayfs's whiteout (its inodes may be shared: checked before hardlinks)
      out.header({ path: `${parent}.wh.${name}`, type: 'File', size: 0, mode: mode & 0o777, ...owner });
      return;
    }
    if (kind === 'upper' && !st.isSymbolicLink()) {
      const marks = native.overlayAttrs(full);
      if (marks.redirect || marks.metacopy) {
        throw new RuntimeError(
          `cannot commit ${rel}: overlayfs ${marks.redirect ? 'redirected it (redirect_dir)' : 'copied only its metadata (metacopy)'}, which an image layer cannot say`,
        );
      }
      if (marks.opaque && st.isDirectory() && rel !== '') {
        out.header({ path: `${rel}/`, type: 'Directory', size: 0, mode, ...owner });
        out.header({ path: `${rel}/.wh..wh..opq`, type: 'File', size: 0, mode: 0, ...owner });
        for (const child of names(full, rel)) entry(path.join(full, child), `${rel}/${child}`);
        return;
      }
    }
    if (st.isDirectory()) {
      if (rel !== '' || kind === 'tree') out.header({ path: rel === '' ? './' : `${rel}/`, type: 'Directory', size: 0, mode, ...owner });
      for (const child of names(full, rel)) entry(path.join(full, child), rel === '' ? child : `${rel}/${child}`);
      return;
    }
    if (st.nlink > 1n) {
      const key = `${st.dev}:${st.ino}`;
      const first = linked.get(key);
      if (first !== undefined) {
        out.header({ path: rel, type: 'Link', linkpath: first, size: 0, mode, ...owner });
        return;
      }
      linked.set(key, rel);
    }
    if (st.isFile()) {
      out.header({ path: rel, type: 'File', size: Number(st.size), mode, ...owner });
      copyData(full, rel, Number(st.size), out);
    } else if (st.isSymbolicLink()) {
      // Its text as written: resolved in a container, never here.
      out.header({ path: rel, type: 'SymbolicLink', linkpath: fs.readlinkSync(full), size: 0, mode: 0o777, ...owner });
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      out.header({ path: rel, type: st.isCharacterDevice() ? 'CharacterDevice' : 'BlockDevice', size: 0, mode, ...owner, ...deviceNumbers(st.rdev) });
    } else if (st.isFIFO()) {
      out.header({ path: rel, type: 'FIFO', size: 0, mode, ...owner });
    }
    // A socket is left out, as Docker does: it means nothing outside the process that made it.
  };

  entry(root, '');
  return out.end();
}
