/** Where the runtime keeps its data on the host: one place for every module. */

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
