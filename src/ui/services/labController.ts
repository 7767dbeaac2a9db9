/**
 * Follows a guided lab in the UI, with no React in it: starts each step's
 * container through the RunController, holds the step's host fixture, keeps
 * the terminal's output since the step began, checks the step every half
 * second, and publishes what the lab panel shows. Progress is saved at each
 * step, so a student who leaves comes back to the same one.
 */
import * as os from 'node:os';
import { fillIn, runOptionsAt, type Lab, type LabRun } from '../../labs/lab.js';
import { describeCheck, plainText, setUpFixture, unmet, viewLines, type FixtureHandle, type Observation } from '../../labs/observe.js';
import { currentRun, type UiAction, type UiState } from '../state.js';
import type { LabView, RunOptions } from '../types.js';
import type { PtyContainer } from '../../runtime/container.js';
import { DEFAULT_MEMORY_SIZE } from '../../runtime/spec.js';
import type { RunController } from './runController.js';

const CHECK_INTERVAL_MS = 500;
/** Output kept for `output` checks: a step's worth, not a flood's (cut back to this once twice as long). */
const MAX_OUTPUT = 256 * 1024;

/** A lab's container options as the UI runs them. */
function labRunOptions(run: LabRun): RunOptions {
  return {
    ...run,
    rootfs: run.rootfs ?? 'default',
    command: run.command ?? ['/bin/sh'],
    memory: run.memory ?? DEFAULT_MEMORY_SIZE,
    hostname: run.hostname ?? '',
  };
}

export interface LabControllerDeps {
  runs: RunController;
  dispatch: (action: UiAction) => void;
  getState: () => UiState;
  /** Types into the container's terminal. */
  type: (keys: string) => void;
  saveProgress: (labId: string, step: number) => void;
}

export class LabController {
  private lab: Lab | null = null;
  private step = 0;
  private fixture: FixtureHandle | null = null;
  private output = '';
  /** Where in `output` the step began. */
  private since = 0;
  private passed = false;
  private complete = false;
  private waiting = '';
  private checking = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly hostHostname = os.hostname();
  private unsubscribeOutput: (() => void) | null = null;
  /** The container shown last, and who waits for the next one: a step's fixture is set up beside its container. */
  private attached: PtyContainer | null = null;
  private onNextAttach: ((container: PtyContainer) => void) | null = null;

  constructor(private readonly deps: LabControllerDeps) {
    deps.runs.onAttach((container) => {
      this.attached = container;
      this.onNextAttach?.(container);
      this.onNextAttach = null;
      this.unsubscribeOutput?.();
      this.unsubscribeOutput = null;
      this.output = '';
      this.since = 0;
      // Only a lab looks at the output: a run without one costs nothing here.
      if (!this.lab) return;
      this.unsubscribeOutput = container.onData((data) => {
        this.output += data;
        if (this.output.length > 2 * MAX_OUTPUT) {
          const drop = this.output.length - MAX_OUTPUT;
          this.output = this.output.slice(drop);
          this.since = Math.max(0, this.since - drop);
        }
      });
    });
  }

  get active(): boolean {
    return this.lab !== null;
  }

  /** Start `lab` at `step` in a fresh container. */
  async open(lab: Lab, step: number): Promise<void> {
    this.lab = lab;
    this.timer ??= setInterval(() => void this.check(), CHECK_INTERVAL_MS);
    await this.goTo(step, true);
  }

  /** The next step; on the last one, the lab is complete (it says so, and stays until left). */
  next(): Promise<void> {
    if (this.lab && this.step === this.lab.steps.length - 1) {
      this.complete = true;
      this.publish();
      return Promise.resolve();
    }
    return this.goTo(this.step + 1, false);
  }

  previous(): Promise<void> {
    return this.goTo(this.step - 1, false);
  }

  /** This step again, in a fresh container. */
  restart(): Promise<void> {
    return this.goTo(this.step, true);
  }

  /** Type the step's suggested command; the student presses Enter. */
  typeCommand(): void {
    const command = this.commandText();
    if (command) this.deps.type(command);
  }

  /** Leave the lab: its container goes on, the panel goes, the progress stays. */
  leave(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribeOutput?.();
    this.unsubscribeOutput = null;
    this.output = '';
    void this.fixture?.release();
    this.fixture = null;
    this.lab = null;
    this.deps.dispatch({ type: 'lab', lab: null });
  }

  private commandText(): string | null {
    const command = this.lab?.steps[this.step].command;
    return command ? fillIn(command, this.fixture?.values ?? {}) : null;
  }

  private async goTo(step: number, fresh: boolean): Promise<void> {
    const lab = this.lab;
    if (!lab || step < 0 || step >= lab.steps.length) return;
    void this.fixture?.release();
    this.fixture = null;
    this.step = step;
    this.passed = false;
    this.complete = false;
    this.waiting = describeCheck(lab.steps[step].check);
    this.deps.saveProgress(lab.id, step);
    const run = currentRun(this.deps.getState());
    const options = runOptionsAt(lab, step);
    let container = this.attached;
    // A fresh container where the step asks for one, and where the last one has ended.
    if (fresh || lab.steps[step].run || !run || run.phase === 'exited' || !container) {
      this.output = '';
      this.since = 0;
      const next = new Promise<PtyContainer>((resolve) => (this.onNextAttach = resolve));
      void this.deps.runs.run(labRunOptions(options));
      this.publish();
      container = await next; // never, if it fails to start: then there is nothing to set a fixture up beside
    } else this.since = this.output.length;
    const kind = lab.steps[step].fixture;
    if (kind && this.lab === lab && this.step === step) {
      const fixture = await setUpFixture(kind, { rootfs: options.rootfs ?? 'default', hostPid: container.hostPid });
      // Moved on while it was being set up: it is not this step's any more.
      if (this.lab !== lab || this.step !== step) void fixture.release();
      else this.fixture = fixture;
    }
    this.publish();
  }

  private observation(): Observation {
    const state = this.deps.getState();
    const run = currentRun(state);
    return {
      output: plainText(this.output.slice(this.since)),
      stats: run?.phase === 'running' ? state.stats : null,
      network: run?.phase === 'running' ? (state.stats?.network ?? null) : null,
      exit: run?.status ?? null,
      hostPid: run?.hostPid ?? null,
      hostHostname: this.hostHostname,
      exec: (command) => this.deps.runs.exec(command),
    };
  }

  /** Check the step (once passed, it stays passed) and publish what the panel shows. */
  private async check(): Promise<void> {
    const lab = this.lab;
    if (!lab || this.checking) return;
    this.checking = true;
    const step = this.step;
    try {
      if (!this.passed) {
        const why = await unmet(lab.steps[step].check, this.observation());
        if (this.lab !== lab || this.step !== step) return;
        this.passed = why === null;
        this.waiting = why ?? '';
      }
      this.publish();
    } finally {
      this.checking = false;
    }
  }

  private publish(): void {
    const lab = this.lab;
    if (!lab) return;
    const step = lab.steps[this.step];
    const view: LabView = {
      title: lab.title,
      step: this.step,
      steps: lab.steps.length,
      stepTitle: step.title,
      text: fillIn(step.text, this.fixture?.values ?? {}),
      command: this.commandText(),
      views: viewLines(step.show, this.observation(), this.fixture),
      passed: this.passed,
      waiting: this.waiting,
      complete: this.complete,
    };
    const current = this.deps.getState().lab;
    if (JSON.stringify(current) !== JSON.stringify(view)) this.deps.dispatch({ type: 'lab', lab: view });
  }
}
