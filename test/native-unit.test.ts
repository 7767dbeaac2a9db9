/** The native core's pure parts, unit-tested in C (test/native/unit.c): built here with the project's warnings as
 * errors, run, and each of its checks reported. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('native unit tests (test/native/unit.c)', () => {
  it('the seccomp program answers each call as meant, with every jump inside it; the device program answers as v1 would; ids and paths are checked; path walks stay inside their root', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-unit-'));
    try {
      const binary = path.join(dir, 'unit');
      const sources = [
        'test/native/unit.c',
        'native/seccomp.c',
        'native/device_filter.c',
        'native/utils.c',
        'native/image_fs.c',
        'native/volumes.c',
      ].map((file) => path.join(ROOT, file));
      const built = spawnSync(
        'gcc',
        ['-O2', '-Wall', '-Wextra', '-Werror', '-Wno-unused-parameter', '-I', path.join(ROOT, 'native'), '-o', binary, ...sources],
        {
          encoding: 'utf8',
        },
      );
      assert.equal(built.status, 0, built.stderr);
      const run = spawnSync(binary, { encoding: 'utf8' });
      const lines = run.stdout.trim().split('\n');
      assert.deepEqual(
        lines.filter((line) => !line.startsWith('ok - ')),
        [],
        'failed checks',
      );
      assert.equal(run.status, 0, run.stderr);
      assert.ok(lines.length >= 40, `${lines.length} checks ran`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
