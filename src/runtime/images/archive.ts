/**
 * Images from files: `load` reads a `docker save` tar (manifest.json and
 * layer tars), an OCI archive (oci-layout, index.json, blobs/) or an OCI
 * layout directory; `import` makes a one-layer image of a rootfs tarball.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extract } from 'tar';
import { RuntimeError } from '../errors.js';
import { IMAGES_DIR } from '../paths.js';
import {
  checkManifest,
  hostPlatform,
  isIndex,
  MEDIA_TYPES,
  selectPlatform,
  type ConfigBlob,
  type Descriptor,
  type ImageIndex,
  type Manifest,
} from './oci.js';
import { parseReference, referenceName } from './reference.js';
import {
  addBlobFromFile,
  blobPath,
  ensureStoreDirs,
  readBlobJson,
  removeUnusedBlobs,
  shortId,
  tagImage,
  temporaryPath,
  writeBlob,
  type LocalImage,
} from './store.js';
import { compressionOf, unpackLayer, unpackNewLayer } from './unpack.js';

/** The layer media type a blob's first bytes show. */
function layerMediaType(blob: string): string {
  const compression = compressionOf(blobPath(blob));
  if (compression === 'gzip') return MEDIA_TYPES.ociLayerGzip;
  if (compression === 'zstd') return MEDIA_TYPES.ociLayerZstd;
  return MEDIA_TYPES.ociLayer;
}

/** A manifest for blobs already in the store, stored itself; returns its digest. */
function storeManifest(config: Descriptor, layers: Descriptor[]): string {
  const manifest: Manifest & { schemaVersion: number } = { schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config, layers };
  return writeBlob(Buffer.from(JSON.stringify(manifest)));
}

/** Unpack the layers of the stored manifest and give it `names`. */
async function install(manifestDigest: string, names: string[]): Promise<LocalImage[]> {
  const manifest = checkManifest(readBlobJson<Manifest>(manifestDigest), manifestDigest);
  const diffIds = readBlobJson<ConfigBlob>(manifest.config.digest).rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length)
    throw new RuntimeError(`image ${manifestDigest}: its config lists ${diffIds.length} layers, its manifest ${manifest.layers.length}`);
  for (const [i, layer] of manifest.layers.entries()) await unpackLayer(layer.digest, diffIds[i], `layer ${shortId(layer.digest)}`);
  // An image without a name goes by its manifest's digest (`images` shows it as <none>).
  return (names.length ? names : [manifestDigest]).map((name) => tagImage(name, manifestDigest));
}

/** A file of an archive, by the path the archive's own JSON names it with (never outside it). */
function inside(dir: string, name: string): string {
  const full = path.resolve(dir, name);
  if (!full.startsWith(`${dir}/`)) throw new RuntimeError(`the archive names a file outside itself: ${name}`);
  return full;
}

/** `docker save`: manifest.json lists each image's config, layer tars and tags. */
async function loadDockerArchive(dir: string): Promise<LocalImage[]> {
  const entries = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
    Config: string;
    RepoTags?: string[] | null;
    Layers: string[];
  }[];
  const loaded: LocalImage[] = [];
  for (const entry of entries) {
    const config = addBlobFromFile(inside(dir, entry.Config));
    const layers: Descriptor[] = [];
    for (const file of entry.Layers) {
      const { digest, size } = addBlobFromFile(inside(dir, file));
      layers.push({ mediaType: layerMediaType(digest), digest, size });
    }
    const manifest = storeManifest({ mediaType: MEDIA_TYPES.ociConfig, ...config }, layers);
    loaded.push(
      ...(await install(
        manifest,
        (entry.RepoTags ?? []).map((tag) => referenceName(parseReference(tag))),
      )),
    );
  }
  return loaded;
}

/** The name an OCI layout gives a manifest: containerd's full name, or a ref.name that is a whole reference (a bare tag names nothing). */
function ociName(descriptor: Descriptor): string | null {
  const annotations = descriptor.annotations ?? {};
  const full = annotations['io.containerd.image.name'] ?? annotations['org.opencontainers.image.ref.name'];
  return full && /[:/]/.test(full) ? referenceName(parseReference(full)) : null;
}

/** An OCI layout: index.json's manifests (or indexes, resolved to this host), their blobs in blobs/sha256. */
async function loadOciLayout(dir: string): Promise<LocalImage[]> {
  const addBlob = async (digest: string): Promise<void> => {
    const { digest: got } = addBlobFromFile(inside(dir, path.join('blobs', 'sha256', digest.slice('sha256:'.length))));
    if (got !== digest) throw new RuntimeError(`digest mismatch for blob ${digest} of the archive: got ${got}`);
  };
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')) as ImageIndex;
  const loaded: LocalImage[] = [];
  for (const top of index.manifests) {
    if (top.platform && top.platform.architecture !== hostPlatform().architecture) continue; // another platform's, beside ours
    let descriptor = top;
    await addBlob(descriptor.digest);
    while (isIndex(readBlobJson<ImageIndex>(descriptor.digest), descriptor.mediaType)) {
      descriptor = selectPlatform(readBlobJson<ImageIndex>(descriptor.digest), `the archive's image ${top.digest}`);
      await addBlob(descriptor.digest);
    }
    const manifest = checkManifest(readBlobJson<Manifest>(descriptor.digest), descriptor.digest);
    for (const blob of [manifest.config, ...manifest.layers]) await addBlob(blob.digest);
    const name = ociName(top);
    loaded.push(...(await install(descriptor.digest, name ? [name] : [])));
  }
  if (loaded.length === 0) throw new RuntimeError(`the archive has no image for ${hostPlatform().architecture}`);
  return loaded;
}

/** `load -i FILE`: a `docker save` tar, an OCI archive or an OCI layout directory. */
export async function loadImages(file: string): Promise<LocalImage[]> {
  if (!fs.existsSync(file)) throw new RuntimeError(`no such file: ${file}`);
  ensureStoreDirs();
  let dir = path.resolve(file);
  let unpacked: string | null = null;
  if (!fs.statSync(file).isDirectory()) {
    // An archive holds plain files and directories only: node-tar's own extraction (no path out of the
    // directory) of those alone, so that no symlink of the archive leads a blob's read out of it.
    unpacked = dir = temporaryPath(IMAGES_DIR);
    fs.mkdirSync(dir, { mode: 0o700 });
  }
  try {
    if (unpacked)
      await extract({
        file,
        cwd: unpacked,
        strict: true,
        filter: (_path, entry) => 'type' in entry && (entry.type === 'File' || entry.type === 'Directory'),
      });
    if (fs.existsSync(path.join(dir, 'manifest.json'))) return await loadDockerArchive(dir);
    if (fs.existsSync(path.join(dir, 'oci-layout'))) return await loadOciLayout(dir);
    throw new RuntimeError(`${file} is neither a docker save archive (manifest.json) nor an OCI layout (oci-layout, index.json)`);
  } finally {
    if (unpacked) fs.rmSync(unpacked, { recursive: true, force: true });
  }
}

/** `import ROOTFS.tar NAME`: one layer, the tarball (compressed or not) as it is, and an empty config. */
export async function importImage(file: string, nameText: string): Promise<LocalImage> {
  if (!fs.existsSync(file)) throw new RuntimeError(`no such file: ${file}`);
  const name = referenceName(parseReference(nameText));
  const layer = addBlobFromFile(file);
  let diffId: string;
  try {
    diffId = await unpackNewLayer(layer.digest, `layer ${shortId(layer.digest)}`);
  } catch (err) {
    removeUnusedBlobs([layer.digest]);
    throw err;
  }
  const created = new Date().toISOString();
  const { architecture, os } = hostPlatform();
  const config: ConfigBlob = { created, architecture, os, config: {}, rootfs: { type: 'layers', diff_ids: [diffId] } };
  return storeImage(config, [{ mediaType: layerMediaType(layer.digest), ...layer }], name);
}

/** An image of layers whose blobs are in the store and `config` (its diff_ids theirs): the config and manifest stored,
 * the layers unpacked, the image named `name`. */
export async function storeImage(config: ConfigBlob, layers: Descriptor[], name: string): Promise<LocalImage> {
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = writeBlob(configBytes);
  const manifest = storeManifest({ mediaType: MEDIA_TYPES.ociConfig, digest: configDigest, size: configBytes.length }, layers);
  try {
    return (await install(manifest, [name]))[0];
  } catch (err) {
    // A layer that would not unpack: what was stored for it goes (a base image's layers stay with the base).
    removeUnusedBlobs([manifest, configDigest, ...layers.map((layer) => layer.digest)]);
    throw err;
  }
}
