/** The pane recorded as an asciicast v2 file. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { Recorder } from '../../src/ui/services/recorder.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recorder-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('Recorder', () => {
  it('writes the asciicast v2 header, then output and resize events with seconds since the start', () => {
    const file = path.join(dir, 'session.cast');
    const recorder = new Recorder(file, { cols: 80, rows: 24 }, 'baby-docker-tui', 1_700_000_000_000);
    recorder.output('\x1bc', 1_700_000_000_100);
    recorder.output('héllo "there"\r\n', 1_700_000_000_500);
    recorder.resize(100, 30, 1_700_000_001_250);
    recorder.close();
    const [header, ...events] = fs
      .readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(header, {
      version: 2,
      width: 80,
      height: 24,
      timestamp: 1_700_000_000,
      title: 'baby-docker-tui',
      env: { TERM: 'xterm-256color' },
    });
    assert.deepEqual(events, [
      [0.1, 'o', '\x1bc'],
      [0.5, 'o', 'héllo "there"\r\n'],
      [1.25, 'r', '100x30'],
    ]);
  });

  it('never overwrites a file, nor writes through a link', () => {
    const existing = path.join(dir, 'existing.cast');
    fs.writeFileSync(existing, 'keep me');
    assert.throws(() => new Recorder(existing, { cols: 80, rows: 24 }, 't'), {
      message: `cannot record to ${existing}: it exists already (choose a new file name)`,
    });
    assert.equal(fs.readFileSync(existing, 'utf8'), 'keep me');
    const link = path.join(dir, 'link.cast');
    fs.symlinkSync(path.join(dir, 'target'), link);
    assert.throws(() => new Recorder(link, { cols: 80, rows: 24 }, 't'), /cannot record to/);
    assert.equal(fs.existsSync(path.join(dir, 'target')), false);
  });
});
