import { useEffect, useState } from 'react';

/** What the size is read from: the real terminal, or a stand-in in tests. */
export interface TerminalSize {
  columns?: number;
  rows?: number;
  on(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

const sizeOf = (terminal: TerminalSize) => ({ cols: terminal.columns || 100, rows: terminal.rows || 30 });

/** The terminal's size, following resizes; fallbacks where there is none. */
export function useTerminalSize(terminal: TerminalSize): { cols: number; rows: number } {
  const [size, setSize] = useState(() => sizeOf(terminal));
  useEffect(() => {
    const onResize = () => setSize(sizeOf(terminal));
    terminal.on('resize', onResize);
    return () => {
      terminal.off('resize', onResize);
    };
  }, [terminal]);
  return size;
}
