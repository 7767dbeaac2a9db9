import { useEffect, useState } from 'react';
import type { ScreenSnapshot } from '../services/screen.js';
import type { TerminalSession } from '../services/terminalSession.js';

/** The session's screen, re-read when it says it changed (at most once a frame). */
export function useScreen(session: TerminalSession): ScreenSnapshot {
  const [screen, setScreen] = useState(() => session.snapshot());
  useEffect(() => session.onChange(() => setScreen(session.snapshot())), [session]);
  return screen;
}
