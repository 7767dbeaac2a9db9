/** Exit codes, as Docker uses them (see the README). */
export const EXIT = {
  /** The runtime itself failed: bad input, not root, setup failed. */
  RUNTIME: 125,
  /** The command exists in the rootfs but cannot be executed. */
  NOT_EXECUTABLE: 126,
  /** The command was not found in the rootfs. */
  NOT_FOUND: 127,
} as const;

/** A failure of the runtime itself, with a one-line message saying what is
 * wrong and how to fix it, and the exit code the CLI passes on. */
export class RuntimeError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.RUNTIME,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}
