/** What the UI knows about runs: shared by the state reducer and the panels. */
import type { ExitStatus } from '../runtime/container.js';
import type { NativeStats } from '../runtime/native.js';
import type { NetworkState } from '../runtime/network.js';
import type { ContainerSpec, Network } from '../runtime/spec.js';

export type RunPhase = 'starting' | 'running' | 'exited';

/** A run as the UI asks for it: the runtime's own spec, with the memory limit and hostname as the user typed them (the
 * panels show them), and whether it goes on in the files the run before left (its layer, kept for that: Ctrl-] c). */
export interface RunOptions extends ContainerSpec {
  /** As typed: "100m", "1g", "0" for none. */
  memory: string;
  /** Empty: the container id. */
  hostname: string;
  network?: Network;
  onLastChanges?: boolean;
}

/** One run of this session, from start request to exit. */
export interface RunRecord {
  /** 1, 2, 3… in this session. */
  seq: number;
  options: RunOptions;
  phase: RunPhase;
  /** Container id, once started. */
  id: string | null;
  /** PID of the container's first process on the host (it is PID 1 inside). */
  hostPid: number | null;
  /** ms since the epoch. */
  startedAt: number;
  endedAt: number | null;
  /** Set once exited; a run that failed to start has code 125 and an error. */
  status: ExitStatus | null;
  /** Asked to stop (SIGTERM sent): when SIGKILL follows, ms since the epoch. */
  killAt: number | null;
  /** What the runtime made of the options once started: an image's config filled in. */
  started: StartedAs | null;
}

/** A run as it started: the command, user and working directory it got, and its image, if it ran on one. */
export interface StartedAs {
  command: string[];
  user: string | null;
  workdir: string | null;
  image: string | null;
}

/** One poll of the container's cgroup, UTS and network namespaces. */
export interface LiveStats extends NativeStats {
  hostname: string;
  network: NetworkState;
  /** ms since the epoch. */
  at: number;
}

/** A reading taken at a moment; it holds until the next one. */
export interface Sample {
  /** ms since the epoch. */
  at: number;
  value: number;
}

/** The lab being followed, as the lab panel shows it (see services/labController.ts). */
export interface LabView {
  title: string;
  /** 0-based. */
  step: number;
  steps: number;
  stepTitle: string;
  text: string;
  /** The suggested command with its placeholders filled in; Ctrl-] t types it. */
  command: string | null;
  /** The host's view beside the container's, one line each. */
  views: string[];
  passed: boolean;
  /** What the check still waits for: words that read after "waiting for". */
  waiting: string;
  /** Moved on from the last step: the lab is done. */
  complete: boolean;
}
