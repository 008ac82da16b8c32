import { describe, expect, it } from "vitest";
import { GitSourceError } from "./errors.ts";
import { endOfAdvertisement, parseSshUrl } from "./ssh-client.ts";

describe("parseSshUrl", () => {
  it.each([
    ["ssh://git@github.com/org/repo.git", { host: "github.com", port: 22, path: "/org/repo.git" }],
    ["ssh://git@127.0.0.1:2222/app.git", { host: "127.0.0.1", port: 2222, path: "/app.git" }],
    ["ssh://[::1]:2222/a%20b.git", { host: "::1", port: 2222, path: "/a b.git" }],
  ])("%s", (url, target) => {
    expect(parseSshUrl(url)).toEqual(target);
  });

  it("rejects other schemes", () => {
    expect(() => parseSshUrl("https://h/r")).toThrow(GitSourceError);
  });
});

describe("endOfAdvertisement", () => {
  const line = (s: string): string => `${(s.length + 4).toString(16).padStart(4, "0")}${s}`;

  it("finds the flush-pkt that ends the advertisement", () => {
    const advert = line("abc refs/heads/main\n") + line("def refs/tags/v1\n");
    const buf = Buffer.from(`${advert}0000rest`);
    expect(endOfAdvertisement(buf)).toBe(advert.length + 4);
  });

  it("waits for more bytes when the advertisement is incomplete", () => {
    expect(endOfAdvertisement(Buffer.from(line("abc refs/heads/main\n").slice(0, 10)))).toBe(-1);
    expect(endOfAdvertisement(Buffer.from(line("abc\n")))).toBe(-1);
  });

  it("skips delimiter packets of protocol v2", () => {
    expect(endOfAdvertisement(Buffer.from(`${line("version 2\n")}00010000`))).toBe(22);
  });

  it("rejects bytes that are not pkt-lines", () => {
    expect(() => endOfAdvertisement(Buffer.from("zzzz"))).toThrow(GitSourceError);
  });
});
