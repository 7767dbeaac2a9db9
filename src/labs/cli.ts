/** What both commands do for labs: where the user's labs are, and the unattended check. */
import * as path from 'node:path';
import { checkRoot } from '../runtime/spec.js';
import { configDir } from '../runtime/paths.js';
import { listLabs, loadLab } from './catalog.js';
import { checkLab } from './unattended.js';

/** The user's lab folder: $XDG_CONFIG_HOME/baby-docker/labs. */
export function labDir(): string {
  return path.join(configDir(), 'labs');
}

/** `--check`: every step of the lab, one line each on stdout; 0 when all passed, 1 when one failed. */
export async function runLabCheck(name: string): Promise<number> {
  const lab = loadLab(name, labDir());
  checkRoot();
  process.stdout.write(`${lab.title}\n`);
  return (await checkLab(lab, (line) => process.stdout.write(`${line}\n`))) ? 0 : 1;
}

/** `lab list` / `--lab list`: every lab on offer, one line each on stdout. */
export function printLabList(): void {
  for (const entry of listLabs(labDir())) process.stdout.write(`${entry.id.padEnd(20)} ${entry.title}\n`);
}
