/** Where the runtime keeps its data on the host: one place for every module. */

/** The runtime's own storage: root's alone (0700, as Docker keeps its data), so that no
 * other host user reaches a setuid file a container planted in a rootfs there. */
export const STORAGE_DIR = '/var/lib/baby-docker';

/** Writable layers: the templates runs copy theirs from, and the layers kept runs left. */
export const LAYERS_DIR = `${STORAGE_DIR}/layers`;
