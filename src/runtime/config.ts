/**
 * The host's settings for the runtime (HOST_CONFIG_FILE, JSON), as Docker
 * keeps its daemon.json: one for every user of the host, absent by default.
 *
 *   { "bridge": { "subnet": "10.123.0.0/24", "firewall": "iptables" } }
 *
 * bridge.subnet: the bridge's subnet when it is made (a prefix of 16 to 29);
 * without it, the first private /24 clear of the host's routes.
 * bridge.firewall: where the NAT rules go, "nftables" (the default; iptables
 * where the kernel has no nftables) or "iptables" (as Docker's
 * firewall-backend chooses).
 */
import * as fs from 'node:fs';
import { RuntimeError } from './errors.js';
import { HOST_CONFIG_FILE } from './paths.js';

export interface BridgeConfig {
  subnet: string | null;
  firewall: 'nftables' | 'iptables';
}

export interface HostConfig {
  bridge: BridgeConfig;
}

const DEFAULT_CONFIG: HostConfig = { bridge: { subnet: null, firewall: 'nftables' } };

function fail(what: string): never {
  throw new RuntimeError(`${HOST_CONFIG_FILE}: ${what}`);
}

/** A subnet as the native core takes it: a network address and a prefix of 16 to 29. */
function checkSubnet(subnet: unknown): string {
  const match = typeof subnet === 'string' ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(subnet) : null;
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : 0;
  const address = octets.reduce((value, octet) => value * 256 + octet, 0);
  if (!match || octets.some((octet) => octet > 255) || prefix < 16 || prefix > 29 || address % 2 ** (32 - prefix) !== 0) {
    fail(`bridge.subnet ${JSON.stringify(subnet)} is no subnet: give a network address and a prefix of 16 to 29, e.g. "10.123.0.0/24"`);
  }
  return subnet as string;
}

function checkFirewall(firewall: unknown): BridgeConfig['firewall'] {
  if (firewall !== 'nftables' && firewall !== 'iptables')
    fail(`bridge.firewall ${JSON.stringify(firewall)} is no firewall: give "nftables" or "iptables"`);
  return firewall;
}

/** The host's settings; the defaults where the file is absent. */
export function hostConfig(): HostConfig {
  let text: string;
  try {
    text = fs.readFileSync(HOST_CONFIG_FILE, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_CONFIG;
    fail(`cannot read it (${(error as NodeJS.ErrnoException).code})`);
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    fail(`not JSON: ${(error as Error).message}`);
  }
  const bridge = (config as { bridge?: { subnet?: unknown; firewall?: unknown } } | null)?.bridge;
  return {
    bridge: {
      subnet: bridge?.subnet === undefined ? DEFAULT_CONFIG.bridge.subnet : checkSubnet(bridge.subnet),
      firewall: bridge?.firewall === undefined ? DEFAULT_CONFIG.bridge.firewall : checkFirewall(bridge.firewall),
    },
  };
}
