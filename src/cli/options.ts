import { RuntimeError } from '../runtime/errors.js';

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
