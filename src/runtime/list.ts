/** The running containers of this machine, as their state directories (native/state.h) record them. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RuntimeError } from './errors.js';
import { addon } from './native.js';

export interface ContainerInfo {
  id: string;
  /** The container's first process, as the host sees it; null while it starts. */
  hostPid: number | null;
  /** ms since the epoch. */
  startedAt: number;
  rootfs: string;
  /** The command line, arguments joined by spaces. */
  command: string;
  /** Its --name, or null. */
  name: string | null;
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback; // gone: the run ended while we looked
  }
}

/** Every container whose shim is alive, oldest first. */
export function listContainers(): ContainerInfo[] {
  const root = addon().stateRoot;
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return []; // nothing has run since boot
  }
  const containers: ContainerInfo[] = [];
  for (const id of names) {
    if (id.startsWith('.') || !addon().isLive(id)) continue;
    const info = new Map(
      readOr(path.join(root, id, 'info'), '')
        .split('\n')
        .map((line) => line.split('\t', 2) as [string, string]),
    );
    const pid = Number.parseInt(readOr(path.join(root, id, 'pid'), ''), 10);
    containers.push({
      id,
      hostPid: Number.isNaN(pid) ? null : pid,
      startedAt: Number(info.get('started') ?? 0) * 1000,
      rootfs: info.get('rootfs') ?? '',
      command: info.get('command') ?? '',
      name: readOr(path.join(root, id, 'name'), '') || null,
    });
  }
  return containers.sort((a, b) => a.startedAt - b.startedAt);
}

/** The container `idOrPrefix` names among `containers`: its --name, its full id, or the start of exactly one id (names are never all hex). */
export function matchContainer(idOrPrefix: string, containers: ContainerInfo[]): ContainerInfo {
  const named = containers.find((c) => c.name === idOrPrefix);
  if (named) return named;
  if (!/^[0-9a-f]+$/.test(idOrPrefix)) {
    throw new RuntimeError(`no running container has the name "${idOrPrefix}", and it is no id (ids are hexadecimal): see baby-docker ps`);
  }
  const matches = containers.filter((c) => c.id.startsWith(idOrPrefix));
  const exact = matches.find((c) => c.id === idOrPrefix);
  if (exact) return exact;
  if (matches.length === 0) throw new RuntimeError(`no running container has the id ${idOrPrefix} (see baby-docker ps)`);
  if (matches.length > 1) {
    const ids = matches.map((c) => c.id).join(', ');
    throw new RuntimeError(`${idOrPrefix} is ambiguous: it starts ${matches.length} containers' ids (${ids}): type more of it`);
  }
  return matches[0]!;
}
