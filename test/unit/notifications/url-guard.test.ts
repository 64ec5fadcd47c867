import { describe, expect, it } from "vitest";
import {
  PrivateAddressError,
  assertPublicUrl,
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
