/** baby-docker-tui's command line. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs } from '../../src/ui/args.js';

describe('baby-docker-tui arguments', () => {
  it('--pids and --init apply to every run of the session, the direct one too', () => {
    const args = parseArgs(['--pids', '64', '--init', '--cap-drop', 'NET_RAW', 'default', 'sleep', '9'])!;
    assert.deepEqual(args.session, { pids: 64, init: true, capDrop: ['NET_RAW'] });
    assert.deepEqual(args.direct, { rootfs: 'default', command: ['sleep', '9'], memory: '100m', hostname: '', pids: 64, init: true, capDrop: ['NET_RAW'] });
  });

  it('a bad --pids is refused before anything starts', () => {
    assert.throws(() => parseArgs(['--pids', 'lots']), /pids/);
  });
});
