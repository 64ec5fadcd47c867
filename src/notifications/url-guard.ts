import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/**
 * Notification URLs come from `.github/faultline.yml`, which anyone with push access writes:
 * without a check, a repository could make the server POST to its own network (cloud metadata,
 * admin ports). Addresses in these ranges are refused unless the operator allows them (a
 * self-hosted Faultline posting to an internal receiver).
 */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 96], // unspecified, loopback and the old IPv4-compatible form
  ["64:ff9b::", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, "ipv6");
}

export function isPrivateAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 4) return PRIVATE.check(address, "ipv4");
  if (version === 6) {
    // IPv4-mapped (`::ffff:10.0.0.1`) is judged as the IPv4 address it carries.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    if (mapped) return PRIVATE.check(mapped, "ipv4");
    return PRIVATE.check(address, "ipv6");
  }
  return true; // not an address at all: refuse
}

/** The URL points into a private network; retrying will not change that. */
export class PrivateAddressError extends Error {
  constructor(host: string, address: string) {
    super(
      `${host} resolves to ${address}, a private or local address; notifications are only sent to public hosts unless NOTIFICATION_ALLOW_PRIVATE_NETWORKS=true`,
    );
    this.name = "PrivateAddressError";
  }
}

export type ResolveHost = (host: string) => Promise<string[]>;

export const resolveHost: ResolveHost = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Throws PrivateAddressError when `url`'s host is, or resolves to, a private address. A DNS
 * failure throws as is (worth retrying). The check runs before the request and fetch resolves
 * again, so a host that changes its answer in between is not caught: a guard, not a sandbox.
 */
export async function assertPublicUrl(url: string, resolve: ResolveHost = resolveHost) {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [host] : await resolve(host);
  for (const address of addresses) {
    if (isPrivateAddress(address)) throw new PrivateAddressError(host, address);
  }
}
