/** Test images: an OCI layout built from directory trees, one layer each, for `baby-docker load -i`. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from './helpers.js';

/** Write `data` as a blob of the OCI layout at `dir`; its descriptor. */
function blob(dir: string, mediaType: string, data: Buffer): { mediaType: string; digest: string; size: number } {
  const hex = createHash('sha256').update(data).digest('hex');
  fs.writeFileSync(path.join(dir, 'blobs', 'sha256', hex), data);
  return { mediaType, digest: `sha256:${hex}`, size: data.length };
}

/** A layer: the tree at `tree` as an uncompressed tar (its own tar, numeric owners kept). */
function layerTar(tree: string): Buffer {
  const result = spawnSync('tar', ['-C', tree, '--numeric-owner', '-cf', '-', '.'], { maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, result.stderr?.toString());
  return result.stdout;
}

/** An OCI layout at `dir` of one image named `name`: a layer a tree (bottom first; `.wh.` files are whiteouts, as in any
 * layer), and `config` (Env, Entrypoint, Cmd, WorkingDir, User) as its config's. */
export function writeOciLayout(dir: string, name: string, trees: string[], config: Record<string, unknown>): void {
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const tars = trees.map(layerTar);
  const layers = tars.map((tar) => blob(dir, 'application/vnd.oci.image.layer.v1.tar', tar));
  const configBlob = blob(
    dir,
    'application/vnd.oci.image.config.v1+json',
    Buffer.from(
      JSON.stringify({
        architecture: os.arch() === 'x64' ? 'amd64' : os.arch(),
        os: 'linux',
        config,
        rootfs: { type: 'layers', diff_ids: tars.map((tar) => `sha256:${createHash('sha256').update(tar).digest('hex')}`) },
      }),
    ),
  );
  const manifest = blob(
    dir,
    'application/vnd.oci.image.manifest.v1+json',
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: configBlob,
        layers,
      }),
    ),
  );
  fs.writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': name } }],
    }),
  );
}

/** writeOciLayout, then `baby-docker load -i` of it: the image `name` is local (the test removes it with rmi). */
export function loadTestImage(dir: string, name: string, trees: string[], config: Record<string, unknown>): void {
  writeOciLayout(dir, name, trees, config);
  const loaded = runCli(['load', '-i', dir]);
  assert.equal(loaded.status, 0, loaded.stderr);
}
