/** Lab files (format, errors, where they are found) and every built-in lab checked unattended in real containers. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { BUILTIN_LAB_DIR, listLabs, loadLab } from '../src/labs/catalog.js';
import { LabError, parseLab, runOptionsAt } from '../src/labs/lab.js';
import { plainText } from '../src/labs/observe.js';
import { assertNothingLeft, CLI_PATH, hostMounts } from './helpers.js';
import { TUI_CLI_PATH } from './tui-driver.js';

const mountsBefore = hostMounts();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-labs-'));
after(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
  assertNothingLeft(mountsBefore);
});

const GOOD = `title: A small lab
run:
  memory: 64m
steps:
  - title: First
    text: Look at the PID.
    command: echo $$
    show: [pid]
    check:
      output: '^1$'
  - title: Second
    text: Restart with more memory.
    run:
      memory: 128m
    check:
      stat: 'memory.peak < 1g'
`;

/** `text` with `from` replaced by `to`, taken as they are (no $ patterns). */
const edit = (text: string, from: string, to: string): string => text.split(from).join(to);

/** The error parseLab gives for `text`. */
function errorOf(text: string): string {
  try {
    parseLab(text, 'lab.yaml', 'lab');
  } catch (error) {
    assert.ok(error instanceof LabError, String(error));
    return error.message;
  }
  assert.fail('no error for a bad lab file');
}

describe('lab files', () => {
  it('reads a lab: steps, checks, views and the container options of each step', () => {
    const lab = parseLab(GOOD, 'lab.yaml', 'small');
    assert.equal(lab.title, 'A small lab');
    assert.equal(lab.steps.length, 2);
    assert.equal(lab.steps[0].check.output?.test('x\n1\n'), true);
    assert.deepEqual(lab.steps[0].show, ['pid']);
    assert.deepEqual(lab.steps[1].check.stat, { key: 'memory.peak', op: '<', value: 1024 ** 3 });
    assert.deepEqual(runOptionsAt(lab, 0), { memory: '64m' });
    assert.deepEqual(runOptionsAt(lab, 1), { memory: '128m' });
    const storage = parseLab(
      GOOD.replace('memory: 64m', 'memory: 64m\n  volumes: [/tmp:/host-tmp:ro]\n  tmpfs: [/scratch:size=1m]\n  disk: 64m'),
      'lab.yaml',
      'small',
    );
    assert.deepEqual(runOptionsAt(storage, 0), { memory: '64m', volumes: ['/tmp:/host-tmp:ro'], tmpfs: ['/scratch:size=1m'], disk: '64m' });
    const published = parseLab(GOOD.replace('memory: 64m', 'memory: 64m\n  network: bridge\n  publish: [127.0.0.1:18404:80]'), 'lab.yaml', 'small');
    assert.deepEqual(runOptionsAt(published, 0), { memory: '64m', network: 'bridge', publish: ['127.0.0.1:18404:80'] });
  });

  it('names the line and the place of every mistake', () => {
    const cases: Array<[string, RegExp]> = [
      [
        edit(GOOD, "output: '^1$'", "outpt: '^1$'"),
        /^lab\.yaml:10: steps\[0\]\.check\.outpt: unknown key "outpt" \(known: output, exec, host, exit, oom, stat, connect\)$/,
      ],
      [GOOD.replace('memory: 64m', 'memory: 10q'), /^lab\.yaml:3: run\.memory: invalid memory size "10q"/],
      [GOOD.replace('show: [pid]', 'show: [pid, uptime]'), /^lab\.yaml:8: steps\[0\]\.show\[1\]: unknown view "uptime"/],
      [edit(GOOD, "output: '^1$'", "output: '^(1$'"), /^lab\.yaml:10: steps\[0\]\.check\.output: not a valid regular expression/],
      [edit(GOOD, "stat: 'memory.peak < 1g'", "stat: 'uptime > 3'"), /^lab\.yaml:16: steps\[1\]\.check\.stat: unknown value "uptime"/],
      [GOOD.replace('    text: Look at the PID.\n', ''), /^lab\.yaml:5: steps\[0\]\.text: missing: give some text$/],
      // The parser notices the unclosed [ where the next line starts.
      [GOOD.replace('title: A small lab', 'title: [unclosed'), /^lab\.yaml:2: not valid YAML: Flow sequence/],
      ['title: nothing to do\nsteps: []\n', /^lab\.yaml:2: steps: give a list of steps$/],
      [GOOD.replace('memory: 64m', 'memory: 64m\n  volumes: [data:/data]'), /^lab\.yaml:3: run: -v data:\/data: the host path must be absolute/],
      [GOOD.replace('memory: 64m', 'memory: 64m\n  tmpfs: /t:suid'), /^lab\.yaml:3: run: --tmpfs \/t:suid: unknown option "suid"/],
      [GOOD.replace('memory: 64m', 'memory: 64m\n  publish: ["80"]'), /^lab\.yaml:3: run: -p 80: give \[IP:\]HOST:CONTAINER/],
      [
        GOOD.replace('show: [pid]', 'show: [pid]\n    fixture: peers'),
        /^lab\.yaml:9: steps\[0\]\.fixture: unknown fixture "peers" \(known: shm, listener, file, peer, server\)$/,
      ],
    ];
    for (const [text, expected] of cases) assert.match(errorOf(text), expected);
  });

  it("finds the built-in labs, the user's folder and paths; by name, by number, or by file", () => {
    const userDir = path.join(scratch, 'labs');
    fs.mkdirSync(userDir);
    fs.writeFileSync(path.join(userDir, 'mine.yaml'), GOOD);
    fs.writeFileSync(path.join(userDir, 'broken.yaml'), 'title: [');
    const ids = listLabs(userDir).map((entry) => entry.id);
    assert.deepEqual(
      ids.slice(0, 9),
      fs
        .readdirSync(BUILTIN_LAB_DIR)
        .map((file) => file.replace('.yaml', ''))
        .sort(),
    );
    assert.deepEqual(ids.slice(9), ['broken', 'mine']);
    assert.match(listLabs(userDir).find((entry) => entry.id === 'broken')!.title, /^\(broken: .*broken\.yaml:1: not valid YAML/);
    assert.equal(loadLab('mine', userDir).title, 'A small lab');
    assert.equal(loadLab('pid', userDir).id, '01-pid');
    assert.equal(loadLab('7', userDir).id, '07-memory');
    assert.equal(loadLab(path.join(userDir, 'mine.yaml'), userDir).id, 'mine');
    assert.throws(() => loadLab('nope', userDir), /no lab named "nope": the labs are 01-pid, /);
  });

  it('matches output as the terminal shows it, escapes and carriage returns left out', () => {
    assert.equal(plainText('\x1b[1;32mok\x1b[0m\r\n\x1b]0;title\x07# '), 'ok\n# ');
  });
});

describe('every built-in lab, checked unattended in a real container', () => {
  for (const file of fs.readdirSync(BUILTIN_LAB_DIR).sort()) {
    const id = file.replace('.yaml', '');
    it(id, { timeout: 120_000 }, () => {
      const lab = loadLab(id, scratch);
      const result = spawnSync(process.execPath, [CLI_PATH, 'lab', 'check', id], { encoding: 'utf8', timeout: 110_000 });
      assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
      const lines = result.stdout.trim().split('\n');
      // The title, one line a step, the tally.
      assert.equal(lines.length, lab.steps.length + 2, result.stdout);
      lab.steps.forEach((step, i) => assert.equal(lines[i + 1], `✓ ${i + 1}/${lab.steps.length} ${step.title}`));
      assert.equal(lines.at(-1), `${lab.title}: ${lab.steps.length} of ${lab.steps.length} steps passed`);
    });
  }

  it('runs the same way as baby-docker-tui --lab NAME --check, with no terminal', () => {
    const result = spawnSync(process.execPath, [TUI_CLI_PATH, '--lab', 'uts', '--check'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    assert.match(result.stdout, /^✓ 2\/2 Change it inside$/m);
    const missing = spawnSync(process.execPath, [TUI_CLI_PATH, '--lab', 'nope', '--check'], { encoding: 'utf8' });
    assert.equal(missing.status, 125);
    assert.match(missing.stderr, /^baby-docker-tui: no lab named "nope": the labs are 01-pid, /);
  });

  it('lists the labs with baby-docker-tui --lab list, as baby-docker lab list does', () => {
    const tui = spawnSync(process.execPath, [TUI_CLI_PATH, '--lab', 'list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(tui.status, 0, tui.stderr);
    assert.match(tui.stdout, /^01-pid +\S/m);
    assert.equal(tui.stdout, spawnSync(process.execPath, [CLI_PATH, 'lab', 'list'], { encoding: 'utf8' }).stdout);
  });

  it('fails a lab whose check is not met, saying why, with exit code 1', () => {
    const file = path.join(scratch, 'failing.yaml');
    fs.writeFileSync(
      file,
      `title: Fails
steps:
  - title: Wrong PID
    text: The shell is not PID 2.
    command: echo "pid $$"
    timeout: 2
    check:
      output: '^pid 2$'
`,
    );
    const result = spawnSync(process.execPath, [CLI_PATH, 'lab', 'check', file], { encoding: 'utf8' });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stdout, /^✗ 1\/1 Wrong PID: waited for a line "pid 2" in the output$/m);
  });

  it('reports a bad lab file on one line with code 125', () => {
    const file = path.join(scratch, 'bad.yaml');
    fs.writeFileSync(file, GOOD.replace('title: Second', 'title: Second\n    colour: red'));
    const result = spawnSync(process.execPath, [CLI_PATH, 'lab', 'check', file], { encoding: 'utf8' });
    assert.equal(result.status, 125);
    assert.equal(
      result.stderr,
      `baby-docker: ${file}:12: steps[1].colour: unknown key "colour" (known: title, text, command, run, fixture, show, check, timeout)\n`,
    );
  });
});
