#!/usr/bin/env node
// The interactive shell (src/ui/main.tsx). It runs as bundled by esbuild
// (package.json's "bundle" script) with NODE_ENV set to "production" at build
// time: React's development build, which checks and times every component
// and makes each frame several times slower, is left out of the bundle.
import { EXIT, RuntimeError } from '../runtime/errors.js';
import { main } from '../ui/main.js';

try {
  await main();
} catch (error) {
  process.stderr.write(`baby-docker-tui: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof RuntimeError ? error.exitCode : EXIT.RUNTIME);
}
