import type { GitHttpRequest, GitHttpResponse, HttpClient } from "isomorphic-git";
import { describe, expect, it } from "vitest";
import { divertPack } from "./fetch.ts";

const pkt = (payload: Buffer | string): Buffer => {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, "0")), body]);
};
const band = (n: number, data: Buffer | string): Buffer =>
  pkt(Buffer.concat([Buffer.from([n]), Buffer.isBuffer(data) ? data : Buffer.from(data)]));

// An upload-pack response: negotiation lines, then pack data (band 1) mixed with progress (band 2).
const packData = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
const response = Buffer.concat([
  pkt("shallow 0123456789012345678901234567890123456789\n"),
  Buffer.from("0000"),
  pkt("NAK\n"),
  band(2, "Enumerating objects: 3, done.\n"),
  band(1, packData.subarray(0, 1000)),
  band(2, "Counting objects: 100%\n"),
  band(1, packData.subarray(1000, 2999)),
  band(1, packData.subarray(2999)),
  Buffer.from("0000"),
]);
const kept = Buffer.concat([
  pkt("shallow 0123456789012345678901234567890123456789\n"),
  Buffer.from("0000"),
  pkt("NAK\n"),
  band(2, "Enumerating objects: 3, done.\n"),
  band(2, "Counting objects: 100%\n"),
  Buffer.from("0000"),
]);

function serving(body: Buffer, chunk: number): HttpClient {
  return {
    async request(req: GitHttpRequest): Promise<GitHttpResponse> {
      async function* chunks(): AsyncIterableIterator<Uint8Array> {
        for (let at = 0; at < body.length; at += chunk) yield body.subarray(at, at + chunk);
      }
      return {
        url: req.url,
        method: req.method ?? "GET",
        statusCode: 200,
        statusMessage: "OK",
        headers: {},
        body: chunks(),
      };
    },
  };
}

async function collect(res: GitHttpResponse): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of res.body ?? []) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

describe("divertPack", () => {
  it.each([1, 3, 5, 64, 10_000])(
    "sends band 1 to the sink and the rest on, with the response cut every %i bytes",
    async (chunk) => {
      const received: Buffer[] = [];
      const client = divertPack(serving(response, chunk), {
        write: async (c) => void received.push(Buffer.from(c)),
      });
      const res = await client.request({ url: "http://h/r.git/git-upload-pack", method: "POST" });
      expect((await collect(res)).equals(kept)).toBe(true);
      expect(Buffer.concat(received).equals(packData)).toBe(true);
    },
  );

  it("leaves other requests alone", async () => {
    const received: Buffer[] = [];
    const client = divertPack(serving(response, 7), {
      write: async (c) => void received.push(Buffer.from(c)),
    });
    const res = await client.request({
      url: "http://h/r.git/info/refs?service=git-upload-pack",
      method: "GET",
    });
    expect((await collect(res)).equals(response)).toBe(true);
    expect(received).toEqual([]);
  });
});
