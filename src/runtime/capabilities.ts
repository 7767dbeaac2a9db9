/**
 * Linux capabilities by name, and the set a container keeps: Docker's
 * default set, less MKNOD (the container's /dev is a tmpfs that allows device
 * nodes, and no device cgroup stops one made for a host disk from opening it).
 */
import * as fs from 'node:fs';
import { RuntimeError } from './errors.js';

/** capabilities(7), in the kernel's numbering: index = capability number. */
const CAPABILITIES = [
  'CHOWN',
  'DAC_OVERRIDE',
  'DAC_READ_SEARCH',
  'FOWNER',
  'FSETID',
  'KILL',
  'SETGID',
  'SETUID',
  'SETPCAP',
  'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE',
  'NET_BROADCAST',
  'NET_ADMIN',
  'NET_RAW',
  'IPC_LOCK',
  'IPC_OWNER',
  'SYS_MODULE',
  'SYS_RAWIO',
  'SYS_CHROOT',
  'SYS_PTRACE',
  'SYS_PACCT',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_NICE',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'MKNOD',
  'LEASE',
  'AUDIT_WRITE',
  'AUDIT_CONTROL',
  'SETFCAP',
  'MAC_OVERRIDE',
  'MAC_ADMIN',
  'SYSLOG',
  'WAKE_ALARM',
  'BLOCK_SUSPEND',
  'AUDIT_READ',
  'PERFMON',
  'BPF',
  'CHECKPOINT_RESTORE',
] as const;

export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CHOWN',
  'DAC_OVERRIDE',
  'FSETID',
  'FOWNER',
  'NET_RAW',
  'SETGID',
  'SETUID',
  'SETFCAP',
  'SETPCAP',
  'NET_BIND_SERVICE',
  'SYS_CHROOT',
  'KILL',
  'AUDIT_WRITE',
];

/** "sys_admin", "CAP_SYS_ADMIN" -> "SYS_ADMIN"; "ALL" stays; anything else is an error. */
function capabilityName(given: string): string {
  const name = given.trim().toUpperCase().replace(/^CAP_/, '');
  if (name === 'ALL' || (CAPABILITIES as readonly string[]).includes(name)) return name;
  throw new RuntimeError(`unknown capability "${given}": use a name from capabilities(7) such as SYS_ADMIN or NET_ADMIN, or ALL`);
}

const bit = (name: string): bigint => 1n << BigInt(CAPABILITIES.indexOf(name as (typeof CAPABILITIES)[number]));

let boundingSet: bigint | undefined;

/** The capabilities this process may pass on at all: its bounding set (CapBnd), which a container's can
 * only be part of. Read once: a process's bounding set can only shrink, and this one never drops any. */
export function hostCapabilities(): bigint {
  if (boundingSet === undefined) {
    const bounding = /^CapBnd:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (!bounding) throw new RuntimeError('cannot read the bounding set (CapBnd) from /proc/self/status');
    boundingSet = BigInt(`0x${bounding[1]}`);
  }
  return boundingSet;
}

/**
 * The capabilities a container keeps, as the bit mask the shim takes (bit n =
 * capability n): the default set, less `drop`, plus `add`, as Docker's
 * --cap-drop and --cap-add ("ALL" in either means every capability). Only
 * those in `host`: "ALL" means all the host has (see missingForAll), and one
 * the host lacks, added by name, is an error.
 */
export function capabilityMask(add: readonly string[] = [], drop: readonly string[] = [], host = hostCapabilities()): bigint {
  const dropped = drop.map(capabilityName);
  const added = add.map(capabilityName);
  const lacking = added.find((name) => name !== 'ALL' && !(host & bit(name)));
  if (lacking) {
    throw new RuntimeError(
      `cannot add capability ${lacking}: this host's bounding set (CapBnd in /proc/self/status) lacks it, so no container here can have it`,
    );
  }
  const kept = new Set(dropped.includes('ALL') ? [] : DEFAULT_CAPABILITIES.filter((name) => !dropped.includes(name)));
  for (const name of added.includes('ALL') ? CAPABILITIES : added) kept.add(name);
  let mask = 0n;
  for (const name of kept) mask |= bit(name);
  return mask & host;
}

/** What `add` (as for --cap-add) asks for with "ALL" and this host cannot give: the capabilities its bounding set lacks. */
export function missingForAll(add: readonly string[] = [], host = hostCapabilities()): string[] {
  return add.map(capabilityName).includes('ALL') ? CAPABILITIES.filter((name) => !(host & bit(name))) : [];
}
