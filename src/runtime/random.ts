import * as fs from 'node:fs';

/** Random hex straight from the kernel: node:crypto and Web Crypto each cost
 * milliseconds to load, on the start path of the CLI and of the TUI. */
export function randomHex(bytes: number): string {
  const buffer = Buffer.alloc(bytes);
  const fd = fs.openSync('/dev/urandom', 'r');
  try {
    fs.readSync(fd, buffer);
  } finally {
    fs.closeSync(fd);
  }
  return buffer.toString('hex');
}
