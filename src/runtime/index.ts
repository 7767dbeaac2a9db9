/** The runtime API: start containers and follow them. No UI in here. */
export {
  Container,
  PipedContainer,
  PtyContainer,
  RunningContainer,
  PipedProcess,
  PtyProcess,
  findContainer,
  start,
  startPty,
  DEFAULT_STOP_GRACE_MS,
  type ContainerStats,
  type ExecOptions,
  type ExecResult,
  type ExitStatus,
  type PipedOptions,
  type ProcessExit,
  type PtyOptions,
  type PtySize,
} from './container.js';
export { EXIT, RuntimeError } from './errors.js';
export { listContainers, matchContainer, type ContainerInfo } from './list.js';
export { DEFAULT_MEMORY, DEFAULT_PIDS, parseMemory, parsePids, checkHostname, type ContainerSpec } from './spec.js';
export { capabilityMask, DEFAULT_CAPABILITIES } from './capabilities.js';
export { createRootfs, ensureDefaultRootfs, DEFAULT_ROOTFS_DIR, RootfsError } from './rootfs.js';
export { addon as native } from './native.js';
