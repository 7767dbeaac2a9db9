/**
 * Where labs come from: the built-in ones (src/labs/builtin, shipped with the
 * package), the user's lab folder ($XDG_CONFIG_HOME/baby-docker/labs), or a
 * path to a .yaml file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../runtime/native.js';
import { LabError, parseLab, type Lab } from './lab.js';

export const BUILTIN_LAB_DIR = path.join(PACKAGE_ROOT, 'src', 'labs', 'builtin');

export interface LabEntry {
  id: string;
  title: string;
  file: string;
  builtin: boolean;
}

function readLab(file: string): Lab {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new LabError(`no lab file ${file}: give the name of a lab (baby-docker lab list) or a path to a .yaml file`);
  }
  return parseLab(text, file, path.basename(file).replace(/\.ya?ml$/, ''));
}

function labFiles(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => path.join(dir, name));
  } catch {
    return []; // no such folder: no labs there
  }
}

/** Every lab found, built-in first; a user lab that does not parse is listed with its error as title. */
export function listLabs(userDir: string): LabEntry[] {
  const entries: LabEntry[] = [];
  for (const [dir, builtin] of [
    [BUILTIN_LAB_DIR, true],
    [userDir, false],
  ] as const) {
    for (const file of labFiles(dir)) {
      let title: string;
      try {
        title = readLab(file).title;
      } catch (error) {
        title = `(broken: ${(error as Error).message})`;
      }
      entries.push({ id: path.basename(file).replace(/\.ya?ml$/, ''), title, file, builtin });
    }
  }
  return entries;
}

/** A lab by name (its file name without .yaml, or just its leading number: "1" for 01-pid) or by path. */
export function loadLab(nameOrPath: string, userDir: string): Lab {
  if (nameOrPath.includes('/') || /\.ya?ml$/.test(nameOrPath)) return readLab(path.resolve(nameOrPath));
  const entries = listLabs(userDir);
  const byNumber = /^\d+$/.test(nameOrPath) ? Number(nameOrPath) : null;
  const entry =
    entries.find((e) => e.id === nameOrPath) ??
    entries.find((e) => e.id.replace(/^\d+-/, '') === nameOrPath) ??
    entries.find((e) => byNumber !== null && e.builtin && Number.parseInt(e.id, 10) === byNumber);
  if (!entry) {
    throw new LabError(`no lab named "${nameOrPath}": the labs are ${entries.map((e) => e.id).join(', ')} (or give a path to a .yaml file)`);
  }
  return readLab(entry.file);
}
