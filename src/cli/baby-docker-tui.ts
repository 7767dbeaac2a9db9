#!/usr/bin/env node
// The interactive shell is the next step (issue 3); until then, say so.
process.stderr.write('baby-docker-tui: the interactive shell is not built yet; use "baby-docker run" meanwhile\n');
process.exit(125);
