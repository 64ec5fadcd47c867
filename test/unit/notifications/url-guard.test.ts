import { describe, expect, it } from "vitest";
import {
  PrivateAddressError,
  assertPublicUrl,
  guardedLookup,
  isPrivateAddress,
} from "../../../src/notifications/url-guard.js";

describe("isPrivateAddress", () => {
  it.each([
    ["127.0.0.1", true],
    ["10.20.30.40", true],
    ["172.16.0.1", true],
    ["172.32.0.1", false],
    ["192.168.1.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["0.0.0.0", true],
    ["8.8.8.8", false],
    ["93.184.216.34", false],
    ["::1", true],
    ["::", true],
    ["fd00::1", true],
    ["fe80::1", true],
    ["::ffff:127.0.0.1", true],
    ["::ffff:8.8.8.8", false],
    ["::ffff:7f00:1", true],
    ["::127.0.0.1", true],
    ["2606:4700::6810:84e5", false],
    // IPv4-mapped and -translated in every notation, 6to4 and Teredo of private IPv4, site-local.
    ["0:0:0:0:0:ffff:7f00:1", true],
    ["::ffff:0:127.0.0.1", true],
    ["::ffff:0:a00:1", true],
    ["0000:0000:0000:0000:0000:ffff:a9fe:a9fe", true],
    ["::ffff:a9fe:a9fe", true],
    ["::ffff:0808:0808", false],
    ["2002:a00:1::1", true],
    ["2002:c0a8:101::", true],
    ["2002:7f00:1::", true],
    ["2002:808:808::1", false],
    ["2001:0:4136:e378:8000:63bf:f5ff:fffe", true],
    ["2001:0:4136:e378:8000:63bf:f7f7:f7f7", false],
    ["fec0::1", true],
    ["feff::1", true],
    ["64:ff9b:1::a00:1", true],
    ["2001:db8::1", true],
    ["not-an-ip", true],
  ])("%s -> %s", (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});

describe("assertPublicUrl", () => {
  it("checks IP literals without DNS and every resolved address of a name", async () => {
    const noDns = async (): Promise<string[]> => {
      throw new Error("no DNS expected");
    };
    await expect(assertPublicUrl("http://[::1]:8080/x", noDns)).rejects.toBeInstanceOf(
      PrivateAddressError,
    );
    await expect(assertPublicUrl("https://8.8.8.8/x", noDns)).resolves.toBeUndefined();
    await expect(
      assertPublicUrl("https://hooks.example.com/x", async () => ["8.8.8.8", "192.168.0.10"]),
    ).rejects.toThrow("hooks.example.com resolves to 192.168.0.10");
    await expect(
      assertPublicUrl("https://hooks.example.com/x", async () => {
        throw new Error("getaddrinfo ENOTFOUND");
      }),
    ).rejects.toThrow("ENOTFOUND");
  });
});

describe("guardedLookup", () => {
  const lookupOnce = (
    lookup: ReturnType<typeof guardedLookup>,
    host: string,
    options: { all?: boolean; family?: number } = {},
  ) =>
    new Promise<unknown>((resolve, reject) => {
      lookup(host, options, (error, address, family) =>
        error ? reject(error) : resolve(options.all ? address : { address, family }),
      );
    });

  it("resolves once and gives the socket the address it checked", async () => {
    const asked: string[] = [];
    const lookup = guardedLookup(async (host) => {
      asked.push(host);
      return ["93.184.216.34"];
    });
    await expect(lookupOnce(lookup, "hooks.example.com")).resolves.toEqual({
      address: "93.184.216.34",
      family: 4,
    });
    await expect(lookupOnce(lookup, "hooks.example.com", { all: true })).resolves.toEqual([
      { address: "93.184.216.34", family: 4 },
    ]);
    expect(asked).toEqual(["hooks.example.com", "hooks.example.com"]);
  });

  it("refuses a name with any private answer, in any IPv6 disguise", async () => {
    for (const answer of ["10.0.0.1", "::ffff:a00:1", "2002:a00:1::", "fec0::1"]) {
      const lookup = guardedLookup(async () => ["93.184.216.34", answer]);
      await expect(lookupOnce(lookup, "hooks.example.com")).rejects.toBeInstanceOf(
        PrivateAddressError,
      );
    }
  });
});
