// Liveness and readiness probes: /healthz answers while the process runs, /readyz once caches synced.
import { type HttpListener, listen } from "./listen.ts";

/** A running probe server. */
export type ProbeServer = HttpListener;

/** Listens on "host:port" (port 0 picks a free one). */
export async function startProbeServer(addr: string, isReady: () => boolean): Promise<ProbeServer> {
  return listen(addr, (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") return void res.writeHead(200).end("ok");
    if (path === "/readyz") {
      const ok = isReady();
      return void res.writeHead(ok ? 200 : 503).end(ok ? "ok" : "caches not synced");
    }
    res.writeHead(404).end();
  });
}
