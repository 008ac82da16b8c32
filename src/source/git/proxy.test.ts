import { describe, expect, it } from "vitest";
import { forwardRequestOptions, ProxyConfigError, proxyAuthorization, proxyFromSecret } from "./proxy.ts";

describe("proxyFromSecret", () => {
  it("reads the address and the credentials from their own keys", () => {
    const p = proxyFromSecret("ns/p", {
      address: "http://olduser:old@proxy:3128",
      username: "u",
      password: "p",
    });
    expect(p.url.toString()).toBe("http://proxy:3128/");
    expect(proxyAuthorization(p)).toBe(`Basic ${Buffer.from("u:p").toString("base64")}`);
    expect(proxyAuthorization(proxyFromSecret("ns/p", { address: "socks5://proxy" }))).toBeUndefined();
  });

  it.each([
    ["no address", {}, "secret 'ns/p': key 'address' not found"],
    ["an empty address", { address: "" }, "secret 'ns/p': proxy address is empty"],
    ["an unparsable address", { address: "::" }, "failed to parse proxy address"],
    ["an unsupported scheme", { address: "ftp://proxy" }, "got 'ftp'"],
    ["an address that is too long", { address: `http://${"a".repeat(2050)}` }, "maximum length of 2048"],
  ])("refuses %s", (_name, data, message) => {
    expect(() => proxyFromSecret("ns/p", data)).toThrow(ProxyConfigError);
    expect(() => proxyFromSecret("ns/p", data)).toThrow(message);
  });

  it("sends plain-http requests to the proxy in absolute form", () => {
    const p = proxyFromSecret("ns/p", { address: "http://proxy:3128", username: "u" });
    const o = forwardRequestOptions(p, new URL("http://git.example:8080/org/app.git/info/refs?service=x"));
    expect(o).toEqual({
      protocol: "http:",
      hostname: "proxy",
      port: 3128,
      path: "http://git.example:8080/org/app.git/info/refs?service=x",
      headers: {
        host: "git.example:8080",
        "proxy-authorization": `Basic ${Buffer.from("u:").toString("base64")}`,
      },
    });
  });
});

describe("proxy credentials in the address", () => {
  it("are used when the Secret has no username", () => {
    const p = proxyFromSecret("ns/p", { address: "http://me:s%40cret@proxy:3128" });
    expect(p.url.toString()).toBe("http://proxy:3128/");
    expect(proxyAuthorization(p)).toBe(`Basic ${Buffer.from("me:s@cret").toString("base64")}`);
  });
});
