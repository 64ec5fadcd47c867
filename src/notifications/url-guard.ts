import type { LookupAddress } from "node:dns";
import { lookup } from "node:dns/promises";
import { BlockList, type LookupFunction, isIP } from "node:net";

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
  ["64:ff9b::", 96], // NAT64: reaches any IPv4 address through the operator's translator
  ["64:ff9b:1::", 48], // local-use NAT64
  ["100::", 64], // discard-only
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated, still routed on some networks)
  ["ff00::", 8], // multicast
] as const) {
  PRIVATE.addSubnet(net, prefix, "ipv6");
}

/** The 16 bytes of an IPv6 address (any notation node accepts), or undefined. */
function ipv6Bytes(address: string): number[] | undefined {
  let text = address.replace(/%.*$/, ""); // zone id
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const v4 = dotted.split(".").map(Number);
    const [a = 0, b = 0, c = 0, d = 0] = v4;
    text = `${text.slice(0, -dotted.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined) => (part ? part.split(":") : []);
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined;
  const groups = [...head, ...Array<string>(Math.max(0, missing)).fill("0"), ...tail];
  const bytes: number[] = [];
  for (const group of groups) {
    const value = Number.parseInt(group, 16);
    if (!/^[0-9a-f]{1,4}$/i.test(group) || Number.isNaN(value)) return undefined;
    bytes.push(value >> 8, value & 0xff);
  }
  return bytes;
}

const v4 = (b: number[], at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;

/**
 * The IPv4 address an IPv6 address carries to the IPv4 network, for the forms that reach it:
 * IPv4-mapped (`::ffff:a.b.c.d`, any notation), IPv4-translated (`::ffff:0:a.b.c.d`), 6to4
 * (`2002:AABB:CCDD::`) and Teredo (`2001:0::`, the client address inverted in the last 32 bits).
 */
function embeddedIpv4(bytes: number[]): string | undefined {
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((x) => x === 0);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return v4(bytes, 12);
  if (zeros(0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && zeros(10, 12)) return v4(bytes, 12);
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return v4(bytes, 2);
  if (bytes[0] === 0x20 && bytes[1] === 0x01 && bytes[2] === 0 && bytes[3] === 0) {
    return v4(
      bytes.map((x) => x ^ 0xff),
      12,
    );
  }
  return undefined;
}

export function isPrivateAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 4) return PRIVATE.check(address, "ipv4");
  if (version === 6) {
    const bytes = ipv6Bytes(address);
    if (!bytes) return true;
    // Judged as the IPv4 address it reaches, in whatever notation it was written.
    const carried = embeddedIpv4(bytes);
    if (carried !== undefined) return PRIVATE.check(carried, "ipv4");
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
 * failure throws as is (worth retrying). An early, readable refusal; the connection itself goes
 * through guardedLookup, which checks the address it connects to (a host that answers a public
 * address here and a private one a moment later is caught there: DNS rebinding).
 */
export async function assertPublicUrl(url: string, resolve: ResolveHost = resolveHost) {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [host] : await resolve(host);
  for (const address of addresses) {
    if (isPrivateAddress(address)) throw new PrivateAddressError(host, address);
  }
}

/**
 * A `lookup` for node:http(s) that resolves the host once, refuses it when any address is
 * private, and hands the socket the address it checked: fetch resolved again after the check, so
 * a DNS answer changed in between reached the private network.
 */
export function guardedLookup(resolve: ResolveHost = resolveHost): LookupFunction {
  return (hostname, options, callback) => {
    const host = hostname.replace(/^\[|\]$/g, "");
    const family = typeof options === "object" ? options.family : options;
    const all = typeof options === "object" && options.all === true;
    const run = async () => {
      const addresses = isIP(host) ? [host] : await resolve(host);
      for (const address of addresses) {
        if (isPrivateAddress(address)) throw new PrivateAddressError(host, address);
      }
      const usable = addresses.filter(
        (a) => family === undefined || family === 0 || isIP(a) === family,
      );
      if (usable.length === 0) throw new Error(`${host}: no address of the requested family`);
      return usable;
    };
    run().then(
      (usable) => {
        if (all) {
          (callback as (e: null, a: LookupAddress[]) => void)(
            null,
            usable.map((address) => ({ address, family: isIP(address) })),
          );
        } else {
          const address = usable[0] as string;
          callback(null, address, isIP(address));
        }
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, "", 0),
    );
  };
}
