import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExecShell, type ExecProcess } from '../../src/ui/services/execShell.js';
import type { UiAction } from '../../src/ui/state.js';

/** An exec'd process whose output the test writes and whose end it decides. */
function fakeProcess() {
  let emit: (data: Buffer) => void = () => {};
  let end!: (result: { code: number; error: string | null }) => void;
  const typed: string[] = [];
  const sizes: string[] = [];
  const process: ExecProcess = {
    onData: (listener) => ((emit = listener), () => {}),
    write: (data) => typed.push(data),
    resize: (cols, rows) => sizes.push(`${cols}x${rows}`),
    pause() {},
    resume() {},
    wait: () => new Promise((resolve) => (end = resolve)),
    kill: () => end({ code: 137, error: null }),
  };
  return { process, typed, sizes, emit: (text: string) => emit(Buffer.from(text)), end: (code: number) => end({ code, error: null }) };
}

describe('the exec shell', () => {
  it("shows the exec'd shell in a terminal of its own, at the pane's size, and closes when it ends", async () => {
    const fake = fakeProcess();
    const actions: UiAction[] = [];
    const started: string[][] = [];
    let changes = 0;
    const shell = new ExecShell({
      start: (command) => (started.push(command), Promise.resolve(fake.process)),
      dispatch: (action) => actions.push(action),
      size: () => ({ cols: 30, rows: 6 }),
      onChange: () => changes++,
    });
    const ended = shell.open(['/bin/bash']);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, [['/bin/bash']]);
    assert.deepEqual(actions, [{ type: 'exec-opened', command: ['/bin/bash'] }]);
    assert.deepEqual(fake.sizes, ['30x6']);
    fake.emit('bash-5.2# ');
    await shell.current!.flush();
    assert.equal(
      shell
        .current!.snapshot()
        .lines[0]!.runs.map((run) => run.text)
        .join('')
        .trimEnd(),
      'bash-5.2#',
    );
    assert.ok(changes > 0, 'the pane is told');
    shell.current!.sendKeys('ls\r');
    assert.deepEqual(fake.typed, ['ls\r']);
    void shell.open(['/bin/bash']); // open again: shown, not started twice
    assert.deepEqual(actions.at(-1), { type: 'exec-shown', shown: true });
    fake.end(3);
    await ended;
    assert.equal(shell.current, null);
    assert.deepEqual(actions.at(-1), { type: 'exec-closed', code: 3 });
  });

  it('says why when there is no container to exec into, or the exec fails', async () => {
    const actions: UiAction[] = [];
    const deps = { dispatch: (action: UiAction) => actions.push(action), size: () => ({ cols: 10, rows: 3 }), onChange() {} };
    await new ExecShell({ ...deps, start: () => null }).open(['/bin/sh']);
    await new ExecShell({ ...deps, start: () => Promise.reject(new Error('container 1234 has exited')) }).open(['/bin/sh']);
    assert.deepEqual(actions, [
      { type: 'notice', text: 'no running container to exec into: r runs it again' },
      { type: 'notice', text: 'exec: container 1234 has exited' },
    ]);
  });
});
