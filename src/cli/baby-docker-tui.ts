#!/usr/bin/env node
// The interactive shell (src/ui/main.tsx). React's development build checks
// and times every component, which makes each frame several times slower:
// choose the production build before React is loaded.
process.env.NODE_ENV ??= 'production';
// The thread that reads container terminals takes some 40 ms to start: let it start while the rest loads.
const { startPtyThread } = await import('../runtime/ptyThread.js');
startPtyThread();
const { main } = await import('../ui/main.js');
const { EXIT, RuntimeError } = await import('../runtime/errors.js');

try {
  await main();
} catch (error) {
  process.stderr.write(`baby-docker-tui: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof RuntimeError ? error.exitCode : EXIT.RUNTIME);
}
