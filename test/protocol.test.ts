import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InBandStatusFilter, LineSplitter, parseStatus } from '../src/runtime/protocol.js';

const NONCE = 'abc123';
const marker = (message: string): string => `\x1b]7770;${NONCE};${message}\x07`;

/** Feed chunks through a filter; return the output text and the messages. */
function filter(chunks: string[]): { output: string; messages: string[] } {
  const f = new InBandStatusFilter(NONCE);
  let output = '';
  const messages: string[] = [];
  for (const chunk of chunks) f.push(Buffer.from(chunk), (t) => (output += t.toString()), (m) => messages.push(m));
  return { output, messages };
}

describe('status messages', () => {
  it('parses start and exit', () => {
    assert.deepEqual(parseStatus('start\t42\t1\t/m\t/p'), {
      kind: 'start', hostPid: 42, cgroup: { version: 1, memory: '/m', pids: '/p' },
    });
    assert.deepEqual(parseStatus('exit\t137\tSIGKILL\t2\t104857600\t104857600\t'), {
      kind: 'exit', code: 137, signal: 'SIGKILL', oomKilled: true, memory: { peak: 104857600, limit: 104857600, oomKills: 2 }, error: null,
    });
    assert.deepEqual(parseStatus('exit\t0\t\t0\t\t0\t'), {
      kind: 'exit', code: 0, signal: null, oomKilled: false, memory: { peak: null, limit: null, oomKills: 0 }, error: null,
    });
    assert.deepEqual(parseStatus('exit\t127\t\t\t\t\tcommand not found'), {
      kind: 'exit', code: 127, signal: null, oomKilled: false, memory: null, error: 'command not found',
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

describe('in-band status filter', () => {
  it('takes markers out of the output', () => {
    assert.deepEqual(filter([`a${marker('start')}b\r\nc${marker('exit')}`]), {
      output: 'ab\r\nc',
      messages: ['start', 'exit'],
    });
  });

  it('finds a marker split at every possible point', () => {
    const text = `before${marker('exit\t0\t\t0\t')}after`;
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j++) {
        const result = filter([text.slice(0, i), text.slice(i, j), text.slice(j)]);
        assert.deepEqual(result, { output: 'beforeafter', messages: ['exit\t0\t\t0\t'] }, `split at ${i},${j}`);
      }
    }
  });

  it('passes through a marker with the wrong nonce, and lookalike text', () => {
    const forged = '\x1b]7770;guess;exit\t0\t\t0\t\x07';
    assert.deepEqual(filter([forged, '\x1b]7770;ab', 'x']), { output: `${forged}\x1b]7770;abx`, messages: [] });
  });

  it('holds back only a possible marker start', () => {
    const f = new InBandStatusFilter(NONCE);
    let output = '';
    f.push(Buffer.from('text\x1b]77'), (t) => (output += t.toString()), () => assert.fail('no message'));
    assert.equal(output, 'text');
    f.push(Buffer.from('X'), (t) => (output += t.toString()), () => assert.fail('no message'));
    assert.equal(output, 'text\x1b]77X');
  });
});
