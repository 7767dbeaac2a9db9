/**
 * A lab run with nobody at the keyboard (--check): each step's command is
 * typed into a real container's terminal and its check waited for; one line
 * a step. Used by `baby-docker lab check` and `baby-docker-tui --lab NAME --check`.
 */
import * as os from 'node:os';
import { startPty, type ExitStatus, type PtyContainer } from '../runtime/container.js';
import { readNetwork } from '../runtime/network.js';
import type { ContainerSpec } from '../runtime/spec.js';
import { fillIn, runOptionsAt, type Lab, type LabRun } from './lab.js';
import { plainText, setUpFixture, unmet, type Observation } from './observe.js';

const POLL_MS = 100;
const TERMINAL = { cols: 120, rows: 40 };
const FIRST_OUTPUT_WAIT_MS = 2000;

/** A lab's container options as the runtime takes them. */
function labSpec(run: LabRun): ContainerSpec {
  return { ...run, rootfs: run.rootfs ?? 'default', command: run.command ?? ['/bin/sh'] };
}

/** One container of the lab, with everything it wrote and how it ended. */
class LabContainer {
  output = '';
  exit: ExitStatus | null = null;

  private constructor(readonly container: PtyContainer) {
    container.onData((data) => (this.output += data.toString()));
    void container.wait().then((status) => (this.exit = status));
  }

  /** Started, and its first output (a shell's prompt) shown or a moment passed: keys typed earlier would be echoed before the prompt. */
  static async start(run: LabRun): Promise<LabContainer> {
    const started = new LabContainer(await startPty(labSpec(run), TERMINAL));
    for (const deadline = Date.now() + FIRST_OUTPUT_WAIT_MS; started.output === '' && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return started;
  }

  observe(since: number, hostHostname: string): Observation {
    const { container } = this;
    let stats = null;
    let network = null;
    try {
      stats = container.running ? container.stats() : null;
      network = container.running ? readNetwork(container) : null;
    } catch {
      // It ended between the check and the read.
    }
    return {
      output: plainText(this.output.slice(since)),
      stats,
      network,
      exit: this.exit,
      hostPid: container.hostPid,
      hostHostname,
      exec: async (command) => (container.running ? (await container.exec(['/bin/sh', '-c', command])).stdout : null),
    };
  }

  async stop(): Promise<void> {
    this.container.kill();
    await this.container.wait();
  }
}

/** Run every step of `lab`; prints one line a step, and resolves true when every check passed. */
export async function checkLab(lab: Lab, print: (line: string) => void): Promise<boolean> {
  const hostHostname = os.hostname();
  let current: LabContainer | null = null;
  let passed = 0;
  try {
    for (const [index, step] of lab.steps.entries()) {
      // A fresh container where the step asks for one, and where the last one has ended.
      if (!current || step.run || current.exit) {
        await current?.stop();
        current = await LabContainer.start(runOptionsAt(lab, index));
      }
      const context = { rootfs: runOptionsAt(lab, index).rootfs ?? 'default', hostPid: current.container.hostPid };
      const fixture = step.fixture ? await setUpFixture(step.fixture, context) : null;
      let why: string | null;
      try {
        const since = current.output.length;
        if (step.command) current.container.write(`${fillIn(step.command, fixture?.values ?? {})}\r`);
        const deadline = Date.now() + step.timeoutMs;
        while ((why = await unmet(step.check, current.observe(since, hostHostname))) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
      } finally {
        await fixture?.release();
      }
      if (!why) passed++;
      print(`${why ? '✗' : '✓'} ${index + 1}/${lab.steps.length} ${step.title}${why ? `: waited for ${why}` : ''}`);
    }
  } finally {
    await current?.stop();
  }
  print(`${lab.title}: ${passed} of ${lab.steps.length} steps passed`);
  return passed === lab.steps.length;
}
