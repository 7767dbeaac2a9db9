/** Shared by the component tests: a run record and a rendered frame as plain text. */
import { stripVTControlCharacters } from 'node:util';
import type { ReactElement } from 'react';
import { render } from 'ink-testing-library';
import type { ContainerNetwork } from '../../src/runtime/protocol.js';
import type { NetworkState } from '../../src/runtime/network.js';
import type { PaneProcess } from '../../src/ui/services/terminalSession.js';
import type { RunRecord } from '../../src/ui/types.js';

export const T0 = 1_700_000_000_000;

/** A running /bin/sh started at T0; override what a test is about. */
export function makeRun(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    seq: 1,
    options: { rootfs: 'default', command: ['/bin/sh'], memory: '100m', hostname: '' },
    phase: 'running',
    id: 'a1b2c3d4',
    hostPid: 4242,
    startedAt: T0,
    endedAt: null,
    status: null,
    killAt: null,
    started: null,
    ...overrides,
  };
}

/** Render once and return the frame without colours. */
export function frameOf(element: ReactElement): string {
  const { lastFrame, unmount } = render(element);
  const frame = stripVTControlCharacters(lastFrame() ?? '');
  unmount();
  return frame;
}

/** How a /bin/sh run on a directory starts: the run-started action's `started`. */
export const STARTED_SH = { command: ['/bin/sh'], user: null, workdir: null, image: null };

/** The part of a container's resolved spec the UI reads (RunController's run-started): a /bin/sh on the default rootfs. */
export const FAKE_SPEC = { rootfs: 'default', lowers: [], command: ['/bin/sh'], user: null, workdir: null };

/** A container's network as the runtime reports it: on the bridge. */
export const FAKE_NETWORK: ContainerNetwork = { mode: 'bridge', address: '10.88.0.2/24', gateway: '10.88.0.1', fallback: null };
/** A poll's network of a bridge container with one published port. */
export const BRIDGE_NETWORK: NetworkState = {
  mode: 'bridge',
  bridge: { address: '10.88.0.7', prefix: 24, gateway: '10.88.0.1', hostVeth: 'bdva1b2c3d4', hostVethIndex: 57 },
  interfaces: [
    { name: 'lo', rxBytes: 140, txBytes: 140 },
    { name: 'eth0', rxBytes: 1846, txBytes: 796 },
  ],
  ports: [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
};

/** A process for a pane (TerminalSession.attach) whose output the test writes with emit; it records what the pane sends it. */
export function fakePaneProcess() {
  let listener: (data: Buffer) => void = () => {};
  const fake = {
    written: [] as string[],
    sizes: [] as [number, number][],
    pauses: 0,
    onData(l: (data: Buffer) => void) {
      listener = l;
      return () => {};
    },
    write(data: string) {
      fake.written.push(data);
    },
    resize(cols: number, rows: number) {
      fake.sizes.push([cols, rows]);
    },
    pause() {
      fake.pauses++;
    },
    resume() {},
    emit: (data: string) => listener(Buffer.from(data)),
  } satisfies PaneProcess & Record<string, unknown>;
  return fake;
}
