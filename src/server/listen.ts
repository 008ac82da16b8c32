// One way to bind the process's HTTP listeners (probes, metrics, webhook) from a "host:port" flag.
import { createServer, type RequestListener, type Server } from "node:http";

/** A listening HTTP server. */
export interface HttpListener {
  /** The bound port (the chosen one when the flag said 0). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Splits "host:port", "[::1]:port" or ":port" (every interface, as Go's flags mean it) into host and port;
 * throws on anything else.
 */
export function parseAddr(addr: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(addr.trim());
  if (!m) throw new Error(`invalid listen address "${addr}": want host:port`);
  const host = m[1] ?? m[2] ?? "";
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`invalid listen address "${addr}": port out of range`);
  return { host: host === "" ? undefined : host, port };
}

/** Listens on `addr` with `handler`; resolves once bound. */
export async function listen(addr: string, handler: RequestListener): Promise<HttpListener> {
  const { host, port } = parseAddr(addr);
  const server: Server = createServer(handler);
  // A slow or idle client must not hold a socket for long on these small endpoints.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : 0,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
