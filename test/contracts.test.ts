/**
 * The private parts of the packages we reach into, pinned to exact versions in package.json: when an upgrade moves
 * one, this fails first, by name, before any test of ours trips over it.
 *  - @xterm/headless: core.writeSync, the parser's state and the scroll region (terminalSession.ts: a flood's
 *    synchronous writes and jump scrolling).
 *  - ink: nothing private; pinned with them, as its rendering is what the UI tests compare.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import xterm from '@xterm/headless';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = (dir: string): { version: string; dependencies: Record<string, string> } =>
  JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
const pinned = manifest(ROOT).dependencies;

describe('contracts with the packages whose private fields we use', () => {
  it('every such package is pinned to the version installed', () => {
    for (const name of ['@xterm/headless', '@xterm/addon-unicode11', 'ink']) {
      assert.equal(pinned[name], manifest(path.join(ROOT, 'node_modules', name)).version, `${name}: pin it exactly`);
    }
  });

  it("@xterm/headless: the core's writeSync, the parser's state (0 when idle) and the buffer's scroll region", () => {
    const term = new xterm.Terminal({ cols: 80, rows: 24, allowProposedApi: true });
    const core = (term as unknown as { _core?: Record<string, unknown> })._core as {
      writeSync?: (data: Uint8Array) => void;
      buffer?: { scrollTop?: number; scrollBottom?: number };
      _inputHandler?: { _parser?: { currentState?: number } };
    };
    assert.equal(typeof core.writeSync, 'function');
    core.writeSync!(new TextEncoder().encode('hello\x1b['));
    assert.notEqual(core._inputHandler?._parser?.currentState, 0, 'inside an escape sequence');
    core.writeSync!(new TextEncoder().encode('m'));
    assert.equal(core._inputHandler?._parser?.currentState, 0, 'ground state');
    assert.deepEqual([core.buffer?.scrollTop, core.buffer?.scrollBottom], [0, 23]);
    assert.equal(term.buffer.active.getLine(0)?.translateToString(true), 'hello');
    term.dispose();
  });
});
