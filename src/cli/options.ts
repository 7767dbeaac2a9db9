import { RuntimeError } from '../runtime/errors.js';
import type { ContainerSpec } from '../runtime/spec.js';

/**
 * Walk the leading options of `args` (`--flag value`, `--flag=value` or a
 * bare `--flag`), up to the first operand or past `--`, handing each to
 * `onOption`; returns the operands. `value()` takes the option's value.
 */
export function parseOptions(
  args: string[],
  program: string,
  onOption: (flag: string, value: () => string) => void,
): string[] {
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
  const list = () => value().split(',').filter((name) => name !== '');
  if (flag === '--cap-add') into.capAdd = [...(into.capAdd ?? []), ...list()];
  else if (flag === '--cap-drop') into.capDrop = [...(into.capDrop ?? []), ...list()];
  else if (flag === '--security') into.security = value() as SecurityOptions['security'];
  else return false;
  return true;
}

/** Said out loud whenever a container runs without its hardening. */
export const SECURITY_OFF_WARNING =
  'warning: --security none: this container keeps every capability, has no seccomp filter and sees /proc unmasked; root inside can reach the host';
