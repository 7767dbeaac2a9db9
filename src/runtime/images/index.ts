/**
 * Images, for the runtime and the CLI: pulled from a registry, loaded or
 * imported from files, kept in the store (store.ts) as unpacked layers in
 * overlayfs format for a run to stack, bottom first.
 *
 *   findLocalImage(ref)   by name as typed (alpine, alpine:3, localhost:5000/x:y), id or unique id prefix; null if none
 *   listLocalImages()
 *   pullImage(ref, { insecure, onProgress })
 */
import type { PullOptions } from './registry.js';
import type { LocalImage } from './store.js';

export type { ImageConfig } from './oci.js';
export { findImage as findLocalImage, listImages as listLocalImages, type LocalImage } from './store.js';
export type { LayerProgress, PullOptions } from './registry.js';
export { parseReference, referenceName, type Reference } from './reference.js';

/** Loaded when a pull happens: the registry client and the unpacker (node-tar, zstd) would cost every start of the UI. */
export async function pullImage(ref: string, options: PullOptions = {}): Promise<LocalImage> {
  const registry = await import('./registry.js');
  return registry.pullImage(ref, options);
}
