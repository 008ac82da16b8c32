import type { GitHttpRequest, GitHttpResponse, HttpClient } from "isomorphic-git";
import { describe, expect, it } from "vitest";
import { addCapability, replayAdvertisement } from "./transport.ts";

async function text(res: GitHttpResponse): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res.body ?? []) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString();
}

function counting(): HttpClient & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async request(req: GitHttpRequest): Promise<GitHttpResponse> {
      calls.push(`${req.method ?? "GET"} ${req.url}`);
      async function* body(): AsyncIterableIterator<Uint8Array> {
        yield Buffer.from(`answer ${calls.length}`);
      }
      return {
        url: req.url,
        method: req.method,
        statusCode: 200,
        statusMessage: "OK",
        headers: {},
        body: body(),
      };
    },
  };
}

describe("replayAdvertisement", () => {
  const refs = "http://h/r.git/info/refs?service=git-upload-pack";

  it("serves the next identical advertisement request from the previous answer, once", async () => {
    const inner = counting();
    const client = replayAdvertisement(inner);
    expect(await text(await client.request({ url: refs, method: "GET", headers: {} }))).toBe("answer 1");
    expect(await text(await client.request({ url: refs, method: "GET", headers: {} }))).toBe("answer 1");
    expect(await text(await client.request({ url: refs, method: "GET", headers: {} }))).toBe("answer 2");
    expect(inner.calls).toHaveLength(2);
  });

  it("never replays pack requests", async () => {
    const inner = counting();
    const client = replayAdvertisement(inner);
    const post = { url: "http://h/r.git/git-upload-pack", method: "POST", headers: {} };
    await text(await client.request(post));
    await text(await client.request(post));
    expect(inner.calls).toHaveLength(2);
  });
});

describe("addCapability", () => {
  const pkt = (s: string): string => `${(s.length + 4).toString(16).padStart(4, "0")}${s}`;

  it("appends the capability to the first want line and keeps the rest", () => {
    const body = Buffer.from(
      `${pkt("want abc ofs-delta agent=x\n")}${pkt("deepen 1\n")}0000${pkt("done\n")}`,
    );
    expect(addCapability(body, "thin-pack").toString()).toBe(
      `${pkt("want abc ofs-delta agent=x thin-pack\n")}${pkt("deepen 1\n")}0000${pkt("done\n")}`,
    );
  });

  it("leaves requests that already carry it, and other requests, unchanged", () => {
    const has = Buffer.from(`${pkt("want abc thin-pack\n")}0000`);
    expect(addCapability(has, "thin-pack")).toBe(has);
    const v2 = Buffer.from(`${pkt("command=fetch\n")}0001`);
    expect(addCapability(v2, "thin-pack")).toBe(v2);
  });
});
