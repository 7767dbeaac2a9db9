/** The line editor the picker's fields and the command line share. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editLineKey, lineOf, type EditLine } from '../../src/ui/lineEditor.js';

const keys = (line: EditLine, ...pressed: string[]): EditLine => pressed.reduce((at, key) => editLineKey(at, key) ?? at, line);

describe('editLineKey', () => {
  it('inserts and deletes at the cursor, which moves with arrows, Home/End and Ctrl-A/E/B/F', () => {
    assert.deepEqual(keys(lineOf('ac'), '\x1b[D', 'b'), { text: 'abc', cursor: 2 });
    assert.deepEqual(keys(lineOf('abc'), '\x01', '\x1b[3~'), { text: 'bc', cursor: 0 });
    assert.deepEqual(keys(lineOf('abc'), '\x1b[H', '\x1b[C', '\x7f'), { text: 'bc', cursor: 0 });
    assert.deepEqual(keys(lineOf('abc'), '\x02', '\x02', '\x05'), { text: 'abc', cursor: 3 });
    assert.deepEqual(keys(lineOf(''), '\x7f', '\x1b[D'), { text: '', cursor: 0 }, 'nothing to delete or move over');
  });

  it('kills the line, to its end, and the word before the cursor', () => {
    assert.deepEqual(keys(lineOf('ls -la /tmp'), '\x15'), { text: '', cursor: 0 });
    assert.deepEqual(keys(lineOf('ls -la /tmp'), '\x01', '\x1b[C', '\x1b[C', '\x0b'), { text: 'ls', cursor: 2 });
    assert.deepEqual(keys(lineOf('ls -la  '), '\x17'), { text: 'ls ', cursor: 3 });
  });

  it('counts characters, not UTF-16 units: wide and astral ones move and delete whole', () => {
    assert.deepEqual(keys(lineOf('日本🙂'), '\x1b[D', '\x7f'), { text: '日🙂', cursor: 1 });
  });

  it('leaves Enter, Tab, Up and Down to the caller', () => {
    for (const key of ['\r', '\t', '\x1b[A', '\x1b[B']) assert.equal(editLineKey(lineOf('x'), key), null);
  });
});
