/**
 * Linux capabilities by name, and the set a container keeps: Docker's
 * default set, less MKNOD (the container's /dev is a tmpfs that allows device
 * nodes, and no device cgroup stops one made for a host disk from opening it).
 */
import { RuntimeError } from './errors.js';

/** capabilities(7), in the kernel's numbering: index = capability number. */
const CAPABILITIES = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
] as const;

export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'NET_RAW', 'SETGID', 'SETUID', 'SETFCAP', 'SETPCAP',
  'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE',
];

/** "sys_admin", "CAP_SYS_ADMIN" -> "SYS_ADMIN"; "ALL" stays; anything else is an error. */
function capabilityName(given: string): string {
  const name = given.trim().toUpperCase().replace(/^CAP_/, '');
  if (name === 'ALL' || (CAPABILITIES as readonly string[]).includes(name)) return name;
  throw new RuntimeError(`unknown capability "${given}": use a name from capabilities(7) such as SYS_ADMIN or NET_ADMIN, or ALL`);
}

/**
 * The capabilities a container keeps, as the bit mask the shim takes (bit n =
 * capability n): the default set, less `drop`, plus `add`, as Docker's
 * --cap-drop and --cap-add ("ALL" in either means every capability).
 */
export function capabilityMask(add: readonly string[] = [], drop: readonly string[] = []): bigint {
  const dropped = drop.map(capabilityName);
  const added = add.map(capabilityName);
  const kept = new Set(dropped.includes('ALL') ? [] : DEFAULT_CAPABILITIES.filter((name) => !dropped.includes(name)));
  for (const name of added.includes('ALL') ? CAPABILITIES : added) kept.add(name);
  let mask = 0n;
  for (const name of kept) mask |= 1n << BigInt(CAPABILITIES.indexOf(name as (typeof CAPABILITIES)[number]));
  return mask;
}
