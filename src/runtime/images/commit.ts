/**
 * `commit`: an image of what a kept run left, as `docker commit` makes one.
 * From an image, the base's layers plus the run's layer, and the base's
 * config (Cmd, Entrypoint, Env... kept) with a history entry; from a rootfs
 * directory, a layer of the directory, then the run's, and a config of the
 * run's command, env, workdir and user.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RuntimeError } from '../errors.js';
import { findKeptRun, viewKeptLayer, type KeptRun } from '../layer.js';
import { BLOBS_DIR } from '../paths.js';
import { checkRoot } from '../spec.js';
import { storeImage } from './archive.js';
import { writeLayerTar, type TreeKind } from './layer-tar.js';
import { checkManifest, hostPlatform, MEDIA_TYPES, type ConfigBlob, type Descriptor, type Manifest } from './oci.js';
import { parseReference, referenceName } from './reference.js';
import { blobPath, ensureStoreDirs, hasBlob, listImages, readBlobJson, temporaryPath, type LocalImage } from './store.js';

/** A tree stored as an uncompressed layer blob: its descriptor (its digest is its diff_id too). */
function storeTreeLayer(root: string, kind: TreeKind): Descriptor {
  ensureStoreDirs();
  const tmp = temporaryPath(path.join(BLOBS_DIR, 'sha256'));
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    const digest = writeLayerTar(root, kind, fd);
    const size = fs.fstatSync(fd).size;
    if (hasBlob(digest)) fs.rmSync(tmp);
    else fs.renameSync(tmp, blobPath(digest));
    return { mediaType: MEDIA_TYPES.ociLayer, digest, size };
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  } finally {
    fs.closeSync(fd);
  }
}

/** The base image of a run from one, by its id: its config as stored (every field kept) and its layers' blobs. */
function baseImage(run: KeptRun & { base: { image: string; imageId: string } }): { config: ConfigBlob; layers: Descriptor[] } {
  const { image, imageId } = run.base;
  const local = listImages().find((candidate) => candidate.id === imageId);
  if (!local) throw new RuntimeError(`the image run ${run.id} started from (${image}, ${imageId}) is no longer here: commit needs its layers`);
  return { config: readBlobJson<ConfigBlob>(imageId), layers: checkManifest(readBlobJson<Manifest>(local.manifest), local.manifest).layers };
}

/** Docker's history entry for a commit. */
function historyEntry(run: KeptRun, created: string): NonNullable<ConfigBlob['history']>[number] {
  return { created, created_by: run.command.join(' '), comment: `baby-docker commit of run ${run.id}` };
}

/** Make image `nameText` (tag latest unless given) of the kept run `ref` (its id, the start of one, or its --name). */
export async function commitRun(ref: string, nameText: string): Promise<LocalImage> {
  checkRoot();
  const reference = parseReference(nameText);
  if (reference.digest) throw new RuntimeError(`commit names the new image NAME[:TAG], not a digest: ${nameText}`);
  const name = referenceName(reference);
  const { run, layer } = findKeptRun(ref);
  const created = new Date().toISOString();
  // Everything checked before the layer is looked at: the base image must still be here.
  const base = 'image' in run.base ? baseImage({ ...run, base: run.base }) : null;
  const layers = base ? [...base.layers] : [];
  const view = await viewKeptLayer(layer);
  try {
    if (!base && 'dir' in run.base) layers.push(storeTreeLayer(run.base.dir, 'tree'));
    layers.push(storeTreeLayer(view.upper, 'upper'));
  } finally {
    await view.close();
  }
  const diffIds = layers.map((descriptor) => descriptor.digest); // uncompressed: a new layer's digest is its diff_id
  let config: ConfigBlob;
  if (base) {
    config = {
      ...base.config,
      created,
      rootfs: { type: 'layers', diff_ids: [...base.config.rootfs.diff_ids, diffIds[diffIds.length - 1]] },
      history: [...(base.config.history ?? []), historyEntry(run, created)],
    };
  } else {
    const { architecture, os } = hostPlatform();
    config = {
      created,
      architecture,
      os,
      config: {
        Cmd: run.command,
        Env: Object.entries(run.env).map(([key, value]) => `${key}=${value}`),
        ...(run.workdir !== null ? { WorkingDir: run.workdir } : {}),
        ...(run.user !== null ? { User: run.user } : {}),
      },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [
        { created, created_by: `baby-docker commit: the rootfs directory ${'dir' in run.base ? run.base.dir : ''}` },
        historyEntry(run, created),
      ],
    };
  }
  return storeImage(config, layers, name);
}
