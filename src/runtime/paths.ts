/** Where the runtime keeps its data on the host, and where a user's settings are: one place for every module. */
import * as os from 'node:os';
import * as path from 'node:path';

/** The runtime's own storage: root's alone (0700, as Docker keeps its data), so that no
 * other host user reaches a setuid file a container planted in a rootfs there. */
export const STORAGE_DIR = '/var/lib/baby-docker';

/** Writable layers: the templates runs copy theirs from, and the layers kept runs left. */
export const LAYERS_DIR = `${STORAGE_DIR}/layers`;

/** Images (src/runtime/images): the store, root's alone like the rest. */
export const IMAGES_DIR = `${STORAGE_DIR}/images`;
/** Content-addressed blobs (manifests, configs, compressed layers): blobs/sha256/<hex>. */
export const BLOBS_DIR = `${IMAGES_DIR}/blobs`;
/** Downloads under way or interrupted, resumed from where they stopped: <hex> of the blob they will be. */
export const PARTIAL_BLOBS_DIR = `${BLOBS_DIR}/.partial`;
/** Unpacked layers, one directory per diff_id's hex, shared between images (overlayfs format). */
export const IMAGE_LAYERS_DIR = `${IMAGES_DIR}/layers`;
/** The local images: name -> manifest digest. */
export const IMAGE_INDEX_FILE = `${IMAGES_DIR}/index.json`;

/** The host's settings for the runtime, written by its administrator (see config.ts); BABY_DOCKER_CONFIG names another. */
export const HOST_CONFIG_FILE = process.env.BABY_DOCKER_CONFIG || '/etc/baby-docker/config.json';

/** The user's own settings (the TUI's history, labs of their own): $XDG_CONFIG_HOME/baby-docker, or
 * ~/.config/baby-docker (as root: /root/.config/baby-docker). */
export function configDir(): string {
  // The XDG spec says to ignore a relative XDG_CONFIG_HOME.
  const xdg = process.env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.config');
  return path.join(base, 'baby-docker');
}
