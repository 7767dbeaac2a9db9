import * as fs from 'node:fs';
import { RuntimeError } from './errors.js';
import type { ContainerSpec } from './spec.js';

/**
 * Walk the leading options of `args` (`--flag value`, `--flag=value` or a
 * bare `--flag`), up to the first operand or past `--`, handing each to
 * `onOption`; returns the operands. `value()` takes the option's value.
 */
export function parseOptions(args: string[], program: string, onOption: (flag: string, value: () => string) => void): string[] {
  let i = 0;
  for (; i < args.length && args[i].startsWith('-'); i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    if (flag === '--') return args.slice(i + 1);
    onOption(flag, () => {
      const value = inline ?? args[++i];
      if (value === undefined) throw new RuntimeError(`${flag} needs a value: see ${program} --help`);
      return value;
    });
  }
  return args.slice(i);
}

export function unknownOption(flag: string, program: string): RuntimeError {
  return new RuntimeError(`unknown option ${flag}: see ${program} --help`);
}

/** The hardening options both commands take. */
export type SecurityOptions = Pick<ContainerSpec, 'capAdd' | 'capDrop' | 'security'>;

export const SECURITY_USAGE = `      --cap-add CAP    keep a capability beyond the default set (e.g. SYS_ADMIN, ALL)
      --cap-drop CAP   drop one of the default set (e.g. NET_RAW, ALL)
      --security none  turn the hardening off (every capability, no seccomp
                       filter, /proc unmasked): for labs that show the difference`;

/** Take `flag` when it is a hardening option (lists may be comma-separated); false when it is not one. */
export function parseSecurityOption(flag: string, value: () => string, into: SecurityOptions): boolean {
  const list = () =>
    value()
      .split(',')
      .filter((name) => name !== '');
  if (flag === '--cap-add') into.capAdd = [...(into.capAdd ?? []), ...list()];
  else if (flag === '--cap-drop') into.capDrop = [...(into.capDrop ?? []), ...list()];
  else if (flag === '--security') into.security = value() as SecurityOptions['security'];
  else return false;
  return true;
}

/** Said out loud whenever a container runs without its hardening. */
export const SECURITY_OFF_WARNING =
  'warning: --security none: this container keeps every capability, has no seccomp filter and sees /proc unmasked; root inside can reach the host';

/** Said whenever a run writes into its rootfs directory itself. */
export const ROOTFS_RW_WARNING =
  'warning: --rootfs-rw: this run writes into the rootfs directory itself, and what it changes stays for every later run';

/**
 * -e KEY=VALUE into `env`; a bare -e KEY takes KEY's value here, as Docker
 * does (and sets nothing when it has none).
 */
export function addEnvEntry(env: Record<string, string>, flag: string, entry: string): void {
  const equals = entry.indexOf('=');
  const key = equals < 0 ? entry : entry.slice(0, equals);
  if (key === '' || /[\0\s]/.test(key)) throw new RuntimeError(`${flag} takes KEY=VALUE (or KEY, to pass this one's value on), not "${entry}"`);
  const value = equals < 0 ? process.env[key] : entry.slice(equals + 1);
  if (value !== undefined) env[key] = value;
}

/** --env-file FILE: a KEY=VALUE (or KEY) a line; blank lines and # comments are skipped, as in Docker. */
export function addEnvFile(env: Record<string, string>, file: string): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new RuntimeError(
      `--env-file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}: give a file of KEY=VALUE lines`,
    );
  }
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    addEnvEntry(env, `--env-file ${file}`, line);
  }
}
