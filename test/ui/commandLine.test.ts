import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { joinCommandLine, splitCommandLine } from '../../src/ui/commandLine.js';

describe('splitCommandLine', () => {
  test('splits on runs of whitespace', () => {
    assert.deepEqual(splitCommandLine('  ls   -l\t/tmp  '), ['ls', '-l', '/tmp']);
    assert.deepEqual(splitCommandLine(''), []);
    assert.deepEqual(splitCommandLine('   '), []);
  });

  test('single and double quotes group words and are removed', () => {
    assert.deepEqual(splitCommandLine(`sh -c 'echo "a  b"; exit 3'`), ['sh', '-c', 'echo "a  b"; exit 3']);
    assert.deepEqual(splitCommandLine(`echo "it's"`), ['echo', "it's"]);
    assert.deepEqual(splitCommandLine(`echo a"b c"d`), ['echo', 'ab cd']);
    assert.deepEqual(splitCommandLine(`printf '' x`), ['printf', '', 'x']);
    assert.deepEqual(splitCommandLine(`echo \\n`), ['echo', '\\n'], 'no backslash escapes');
  });

  test('an unclosed quote throws', () => {
    assert.throws(() => splitCommandLine(`echo 'hi`), { message: "unclosed ' quote: add the closing '" });
    assert.throws(() => splitCommandLine(`echo "hi`), { message: 'unclosed " quote: add the closing "' });
  });

  test('joinCommandLine quotes words so they split back the same', () => {
    const cases: string[][] = [['/bin/sh'], ['sh', '-c', 'echo hi; exit 3'], ['echo', "it's", 'say "hi"', `both ' and "`, '', "'", '"']];
    for (const words of cases) assert.deepEqual(splitCommandLine(joinCommandLine(words)), words);
    assert.equal(joinCommandLine(['sh', '-c', 'echo hi']), `sh -c 'echo hi'`);
  });

  test('joinCommandLine quotes as a shell would read it back: words with quotes, $, ;, * and the like', () => {
    assert.equal(joinCommandLine(['sh', '-c', 'echo "hi there"; exit 5']), `sh -c 'echo "hi there"; exit 5'`);
    assert.equal(
      joinCommandLine(['echo', '$HOME', 'a;b', '*', 'x|y', '--flag=a,b', '/usr/bin/env']),
      `echo '$HOME' 'a;b' '*' 'x|y' --flag=a,b /usr/bin/env`,
    );
  });
});
