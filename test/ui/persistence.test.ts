import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { configDir } from '../../src/runtime/paths.js';
import { HISTORY_LIMIT, loadConfig, loadHistory, rememberRun, saveHistory, type History } from '../../src/ui/persistence.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'persistence-test-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const writeConfig = (text: string): string => {
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, text);
  return file;
};

describe('configDir', () => {
  test('uses an absolute XDG_CONFIG_HOME, else ~/.config', () => {
    const saved = process.env.XDG_CONFIG_HOME;
    try {
      process.env.XDG_CONFIG_HOME = '/tmp/xdg-here';
      assert.equal(configDir(), '/tmp/xdg-here/baby-docker');
      process.env.XDG_CONFIG_HOME = 'relative/ignored';
      assert.equal(configDir(), path.join(os.homedir(), '.config', 'baby-docker'));
      delete process.env.XDG_CONFIG_HOME;
      assert.equal(configDir(), path.join(os.homedir(), '.config', 'baby-docker'));
    } finally {
      if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = saved;
    }
  });
});

describe('loadConfig', () => {
  test('a missing file or directory means no configured rootfs', () => {
    assert.deepEqual(loadConfig(dir), { rootfs: [] });
    assert.deepEqual(loadConfig(path.join(dir, 'not-there')), { rootfs: [] });
  });

  test('reads the listed rootfs directories', () => {
    writeConfig('{"rootfs": ["/srv/labs/alpine", "/srv/labs/busybox"]}');
    assert.deepEqual(loadConfig(dir), { rootfs: ['/srv/labs/alpine', '/srv/labs/busybox'] });
    writeConfig('{}');
    assert.deepEqual(loadConfig(dir), { rootfs: [] });
  });

  test('malformed JSON: one line naming the file and where the mistake is', () => {
    // [text, line, column] of the first bad character.
    const cases: [string, number, number][] = [
      ['{\n  "rootfs": ["/srv/a",]\n}\n', 2, 23], // trailing comma: V8 gives no position
      ['{"rootfs": [\'/srv/a\']}', 1, 13], // single quotes
      ['{"rootfs": ["/a" "/b"]}', 1, 18], // missing comma: V8 gives a position
      ['{rootfs: []}', 1, 2],
      ['{"rootfs": ["/a"]', 1, 18], // cut short
    ];
    for (const [text, line, column] of cases) {
      const file = writeConfig(text);
      assert.throws(
        () => loadConfig(dir),
        (error: Error) => {
          assert.ok(error.message.startsWith(`${file}: invalid JSON at line ${line}, column ${column}: `), error.message);
          assert.ok(!error.message.includes('\n'), 'one line');
          return true;
        },
        text,
      );
    }
  });

  test('rootfs that is not a list of paths is reported', () => {
    for (const text of ['{"rootfs": "/srv/a"}', '{"rootfs": [1, 2]}', '{"rootfs": [""]}']) {
      const file = writeConfig(text);
      assert.throws(() => loadConfig(dir), {
        message: `${file}: rootfs must be a list of paths, e.g. {"rootfs": ["/srv/labs/alpine"]}`,
      });
    }
    const file = writeConfig('["/srv/a"]');
    assert.throws(() => loadConfig(dir), { message: `${file}: expected an object like {"rootfs": ["/srv/labs/alpine"]}` });
  });
});

describe('history', () => {
  test('missing or damaged history loads as empty', () => {
    assert.deepEqual(loadHistory(dir), { rootfs: [], commands: [] });
    fs.writeFileSync(path.join(dir, 'history.json'), '{not json');
    assert.deepEqual(loadHistory(dir), { rootfs: [], commands: [] });
    fs.writeFileSync(path.join(dir, 'history.json'), '{"rootfs": "x", "commands": ["ls", 3, "top"]}');
    assert.deepEqual(loadHistory(dir), { rootfs: [], commands: ['ls', 'top'] });
  });

  test('round trip through the file, creating the directory', () => {
    const nested = path.join(dir, 'a', 'baby-docker');
    const history: History = { rootfs: ['/srv/b', '/srv/a'], commands: ['top', 'sh -c "echo hi"'] };
    saveHistory(history, nested);
    assert.deepEqual(loadHistory(nested), history);
  });

  test('saving leaves no temporary file and replaces the old content whole', () => {
    saveHistory({ rootfs: ['/srv/old'], commands: ['old'] }, dir);
    saveHistory({ rootfs: ['/srv/new'], commands: ['new'] }, dir);
    assert.deepEqual(fs.readdirSync(dir), ['history.json']);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'history.json'), 'utf8')), {
      rootfs: ['/srv/new'],
      commands: ['new'],
    });
  });

  test('a failed write throws and leaves no temporary file behind', () => {
    // A directory where history.json should be makes the rename fail.
    fs.mkdirSync(path.join(dir, 'history.json'));
    assert.throws(() => saveHistory({ rootfs: [], commands: ['lost'] }, dir), { code: 'EISDIR' });
    assert.deepEqual(fs.readdirSync(dir), ['history.json']);
    assert.ok(fs.statSync(path.join(dir, 'history.json')).isDirectory());
  });

  test('rememberRun puts the latest first, without repeats, and skips default', () => {
    let history: History = { rootfs: [], commands: [] };
    history = rememberRun(history, '/srv/a', 'ls');
    history = rememberRun(history, '/srv/b', 'top');
    history = rememberRun(history, '/srv/a', 'ls');
    history = rememberRun(history, 'default', '  echo hi  ');
    assert.deepEqual(history, { rootfs: ['/srv/a', '/srv/b'], commands: ['echo hi', 'ls', 'top'] });
  });

  test('rememberRun is pure', () => {
    const history: History = { rootfs: ['/srv/a'], commands: ['ls'] };
    rememberRun(history, '/srv/b', 'top');
    assert.deepEqual(history, { rootfs: ['/srv/a'], commands: ['ls'] });
  });

  test('at most 20 of each, the oldest dropped, in memory and on disk', () => {
    let history: History = { rootfs: [], commands: [] };
    for (let i = 1; i <= 25; i++) history = rememberRun(history, `/srv/r${i}`, `cmd ${i}`);
    assert.equal(HISTORY_LIMIT, 20);
    assert.equal(history.rootfs.length, 20);
    assert.equal(history.commands.length, 20);
    assert.equal(history.commands[0], 'cmd 25');
    assert.equal(history.commands[19], 'cmd 6');
    assert.equal(history.rootfs[19], '/srv/r6');

    // A longer list written by hand is capped on save and on load.
    const long = Array.from({ length: 30 }, (_, i) => `c${i}`);
    saveHistory({ rootfs: [], commands: long }, dir);
    assert.deepEqual(loadHistory(dir).commands, long.slice(0, 20));
    fs.writeFileSync(path.join(dir, 'history.json'), JSON.stringify({ rootfs: long, commands: ['a', 'a', 'b'] }));
    assert.deepEqual(loadHistory(dir), { rootfs: long.slice(0, 20), commands: ['a', 'b'] });
  });
});
