import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineSplitter, parseStatus } from '../src/runtime/protocol.js';

describe('status messages', () => {
  it('parses start and exit', () => {
    assert.deepEqual(parseStatus('start\t42\t1\t/m\t/p'), {
      kind: 'start',
      hostPid: 42,
      cgroup: { version: 1, memory: '/m', pids: '/p' },
      network: null,
    });
    assert.deepEqual(parseStatus('start\t42\t2\t/m\t/p\tbridge\t10.88.0.2/24\t10.88.0.1\t'), {
      kind: 'start',
      hostPid: 42,
      cgroup: { version: 2, memory: '/m', pids: '/p' },
      network: { mode: 'bridge', address: '10.88.0.2/24', gateway: '10.88.0.1', fallback: null },
    });
    assert.deepEqual(parseStatus('start\t42\t2\t/m\t/p\tnone\t\t\tcreate bridge bd0: EOPNOTSUPP'), {
      kind: 'start',
      hostPid: 42,
      cgroup: { version: 2, memory: '/m', pids: '/p' },
      network: { mode: 'none', address: null, gateway: null, fallback: 'create bridge bd0: EOPNOTSUPP' },
    });
    assert.deepEqual(parseStatus('exit\t137\tSIGKILL\t2\t104857600\t104857600\t'), {
      kind: 'exit',
      code: 137,
      signal: 'SIGKILL',
      oomKilled: true,
      memory: { peak: 104857600, limit: 104857600, oomKills: 2 },
      error: null,
    });
    assert.deepEqual(parseStatus('exit\t0\t\t0\t\t0\t'), {
      kind: 'exit',
      code: 0,
      signal: null,
      oomKilled: false,
      memory: { peak: null, limit: null, oomKills: 0 },
      error: null,
    });
    assert.deepEqual(parseStatus('exit\t127\t\t\t\t\tcommand not found'), {
      kind: 'exit',
      code: 127,
      signal: null,
      oomKilled: false,
      memory: null,
      error: 'command not found',
    });
    assert.equal(parseStatus('bogus'), null);
  });

  it('splits lines across chunks', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter();
    for (const chunk of ['sta', 'rt\t1\nexi', 't\t0\n', 'partial']) splitter.push(chunk, (l) => lines.push(l));
    assert.deepEqual(lines, ['start\t1', 'exit\t0']);
  });
});
