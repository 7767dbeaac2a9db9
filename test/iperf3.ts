/** Debian's iperf3 for a test or the bench: a server bound to an address of ours (127.0.0.1, the bridge's gateway), a
 * client's command line, and what its JSON report says. Nothing outside this machine is ever contacted. */
import { spawn } from 'node:child_process';
import { freePort } from './registry.js';

export interface Iperf3Server {
  address: string;
  port: number;
  stop(): Promise<void>;
}

/** An iperf3 server on `address` and a free port, once it listens; it serves one client after another until stopped. */
export async function startIperf3Server(address: string): Promise<Iperf3Server> {
  const port = await freePort();
  // --forceflush: its "Server listening" line reaches the pipe at once, not when its buffer fills.
  const server = spawn('iperf3', ['--server', '--bind', address, '--port', String(port), '--forceflush'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => server.once('exit', resolve));
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill();
    await exited;
  };
  let output = '';
  const listening = await new Promise<boolean>((resolve) => {
    const onData = (data: Buffer): void => {
      output += data.toString();
      if (output.includes('Server listening')) resolve(true);
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    void exited.then(() => resolve(false));
  });
  server.stdout!.resume();
  server.stderr!.resume();
  if (!listening) throw new Error(`iperf3 server on ${address}:${port} did not start: ${output.trim()}`);
  return { address, port, stop };
}

/** The argv of an iperf3 client sending TCP to `server` for `seconds`, reporting as JSON. */
export function iperf3Client(server: Iperf3Server, seconds: number): string[] {
  return ['iperf3', '--client', server.address, '--port', String(server.port), '--time', String(seconds), '--json'];
}

/** What the server received, from a client's JSON report. */
export function iperf3Received(report: string): { bytes: number; bitsPerSecond: number } {
  const received = JSON.parse(report).end.sum_received;
  return { bytes: received.bytes, bitsPerSecond: received.bits_per_second };
}
