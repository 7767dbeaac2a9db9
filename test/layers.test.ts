/** The source's layers run one way: cli → ui → labs → runtime. A module never imports one of a layer above its own. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');
const LAYERS = ['cli', 'ui', 'labs', 'runtime'];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(file) : /\.tsx?$/.test(entry.name) ? [file] : [];
  });
}

/** The top-level folder of src/ that `file` is in. */
const layerOf = (file: string): string => path.relative(SRC, file).split(path.sep)[0]!;

describe('layers', () => {
  it('no module imports from a layer above its own', () => {
    const upward: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const own = LAYERS.indexOf(layerOf(file));
      for (const [, target] of fs.readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"]*from '(\.[^']+)'/gm)) {
        const imported = layerOf(path.resolve(path.dirname(file), target!));
        if (LAYERS.indexOf(imported) < own) upward.push(`${path.relative(SRC, file)} imports ${target}`);
      }
    }
    assert.deepEqual(upward, []);
  });
});
