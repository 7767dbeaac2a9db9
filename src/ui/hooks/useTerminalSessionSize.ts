import { useEffect } from 'react';
import type { TerminalSession } from '../services/terminalSession.js';

/** Keep the container's terminal the size of the pane's inside (the pty follows: SIGWINCH inside). */
export function useTerminalSessionSize(session: TerminalSession, cols: number, rows: number): void {
  useEffect(() => {
    if (cols > 0 && rows > 0) session.resize(cols, rows);
  }, [session, cols, rows]);
}
