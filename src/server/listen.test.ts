import { describe, expect, it } from "vitest";
import { listen, parseAddr } from "./listen.ts";

describe("parseAddr", () => {
  it.each([
    ["127.0.0.1:8080", { host: "127.0.0.1", port: 8080 }],
    ["0.0.0.0:0", { host: "0.0.0.0", port: 0 }],
    [":9440", { host: undefined, port: 9440 }],
    ["[::1]:9292", { host: "::1", port: 9292 }],
    ["localhost:1", { host: "localhost", port: 1 }],
  ])("reads %s", (addr, expected) => {
    expect(parseAddr(addr)).toEqual(expected);
  });

  it.each(["8080", "host", "host:", "host:99999", "::1:80", "host:port"])("refuses %s", (addr) => {
    expect(() => parseAddr(addr)).toThrow(/invalid listen address/);
  });
});

describe("listen", () => {
  it("binds a free port for port 0 and serves until closed", async () => {
    const server = await listen("127.0.0.1:0", (_req, res) => res.end("hi"));
    expect(server.port).toBeGreaterThan(0);
    expect(await (await fetch(`http://127.0.0.1:${server.port}/`)).text()).toBe("hi");
    await server.close();
    await expect(fetch(`http://127.0.0.1:${server.port}/`)).rejects.toThrow();
  });
});
