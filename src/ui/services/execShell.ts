/**
 * A second shell in the running container (Ctrl-] x), as `docker exec -it`
 * gives: a terminal session of its own, with its own history, shown in the
 * pane in place of the container's until Ctrl-] o switches back; it closes
 * when the shell ends, or the container does. No React in it.
 */
import type { PtyProcess } from '../../runtime/container.js';
import type { UiAction } from '../state.js';
import { TerminalSession, type PaneProcess } from './terminalSession.js';

/** What the exec shell uses of the runtime's PtyProcess: a process exec'd into the container on a pty of its own. */
export type ExecProcess = PaneProcess & Pick<PtyProcess, 'wait' | 'kill'>;

export interface ExecShellDeps {
  /** Exec `command` into the running container on a pty of `size`; null without a running container. */
  start(command: string[], size: { cols: number; rows: number }): Promise<ExecProcess> | null;
  dispatch(action: UiAction): void;
  /** The pane's terminal size now. */
  size(): { cols: number; rows: number };
  /** The shell's screen changed: the pane shows it. */
  onChange(): void;
}

export class ExecShell {
  private session: TerminalSession | null = null;
  private process: ExecProcess | null = null;
  private opening = false;

  constructor(private readonly deps: ExecShellDeps) {}

  /** The shell's terminal while it runs. */
  get current(): TerminalSession | null {
    return this.session;
  }

  /** Start `command` in the running container and show it; one already open is shown instead. Resolves once it has ended. */
  async open(command: string[]): Promise<void> {
    const { dispatch } = this.deps;
    if (this.session) return dispatch({ type: 'exec-shown', shown: true });
    if (this.opening) return;
    const size = this.deps.size();
    let process: ExecProcess;
    this.opening = true;
    try {
      const started = this.deps.start(command, size);
      if (!started) return dispatch({ type: 'notice', text: 'no running container to exec into: r runs it again' });
      process = await started;
    } catch (error) {
      return dispatch({ type: 'notice', text: `exec: ${(error as Error).message}` });
    } finally {
      this.opening = false;
    }
    const session = new TerminalSession(size.cols, size.rows);
    session.onChange(this.deps.onChange);
    session.attach(process);
    this.session = session;
    this.process = process;
    dispatch({ type: 'exec-opened', command });
    const end = await process.wait();
    this.session = null;
    this.process = null;
    session.dispose();
    dispatch({ type: 'exec-closed', code: end.code });
  }

  resize(cols: number, rows: number): void {
    this.session?.resize(cols, rows);
  }

  /** End the shell (the UI quits). */
  kill(): void {
    this.process?.kill();
  }
}
