/** Debian's docker-registry, started on 127.0.0.1 and a free port for a test or the bench, and stopped by it. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface LocalRegistry {
  port: number;
  stop(): Promise<void>;
}

/** A registry keeping its data under `dir`, answering once it does. */
export async function startRegistry(dir: string): Promise<LocalRegistry> {
  const port = await freePort();
  const config = path.join(dir, 'registry.yml');
  fs.writeFileSync(
    config,
    `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/registry\nhttp:\n  addr: 127.0.0.1:${port}\nlog:\n  level: error\n`,
  );
  const registry = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: 'ignore' });
  const exited = new Promise((resolve) => registry.once('exit', resolve));
  const stop = async () => {
    registry.kill();
    await exited;
  };
  for (let tries = 0; ; tries++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/v2/`)).ok) return { port, stop };
    } catch (err) {
      if (tries > 100) {
        await stop();
        throw err;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
