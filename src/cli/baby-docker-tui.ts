#!/usr/bin/env node
// The interactive shell (src/ui/main.tsx). It runs as bundled by esbuild
// (package.json's "bundle" script) with NODE_ENV set to "production" at build
// time: React's development build, which checks and times every component
// and makes each frame several times slower, is left out of the bundle.
import { setFlagsFromString } from 'node:v8';
import { EXIT, RuntimeError } from '../runtime/errors.js';
import { checkRoot, namesDirectory } from '../runtime/spec.js';
import { hasTerminal, parseArgs, USAGE } from '../ui/args.js';
import { paneSizeOf } from '../ui/layout.js';
import { startEarly } from '../ui/services/runController.js';

// When the shell goes idle, V8's memory reducer collects the heap to shrink it, two or three times in a
// row. Here the first collection takes it from 19 to 12 MiB committed and the next ones free nothing
// (9.7 -> 9.7 MiB live) yet cost ~25 ms of CPU each: one is enough. (Read by V8 when it plans them.)
setFlagsFromString('--memory-reducer-single-gc');

try {
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    process.stdout.write(`${USAGE}\n`);
  } else {
    checkRoot();
    // A direct run's container starts before the UI loads (Ink, React, the emulator and the UI's
    // own code take some 150 ms), and sets itself up meanwhile: the UI takes it over as its first
    // run. The UI is loaded once the container's process exists: loading it first would hold the
    // start's own steps back. Not for an image, which may have to be pulled first, in the UI.
    const early =
      args.direct && args.lab === null && hasTerminal() && namesDirectory(args.direct.rootfs)
        ? startEarly(args.direct, paneSizeOf(process.stdout))
        : null;
    await early?.spawned;
    const { main } = await import('../ui/main.js');
    await main(args, early);
  }
} catch (error) {
  process.stderr.write(`baby-docker-tui: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof RuntimeError ? error.exitCode : EXIT.RUNTIME);
}
