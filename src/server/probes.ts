// Liveness and readiness probes: /healthz answers while the process runs, /readyz once caches synced.
import { createServer, type Server } from "node:http";

/** A running probe server. */
export interface ProbeServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on "host:port" (port 0 picks a free one). */
export async function startProbeServer(addr: string, isReady: () => boolean): Promise<ProbeServer> {
  const [host = "127.0.0.1", portText = "0"] = addr.split(":");
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") return void res.writeHead(200).end("ok");
    if (path === "/readyz") {
      const ok = isReady();
      return void res.writeHead(ok ? 200 : 503).end(ok ? "ok" : "caches not synced");
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(portText), host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
