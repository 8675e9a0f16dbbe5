import { startHttpHost, type HttpHost } from "../kit/index.js";
import type { SimHost } from "./host.js";
import { createSimServer } from "./server.js";

export interface SimHttpOptions {
  /** Address to bind, e.g. 127.0.0.1 (the default). Only this address is bound. */
  host?: string | undefined;
  /** TCP port; 0 picks a free one (see `url`). */
  port: number;
  /** The one world every session shares. */
  sim: SimHost;
  /** A bearer token every request must carry (required off loopback); see tools/kit/http.ts. */
  token?: string | undefined;
  /** Browser origins allowed besides loopback ones. */
  allowedOrigins?: readonly string[] | undefined;
}

export type SimHttpServer = HttpHost;

/**
 * Serves the sim tools over MCP Streamable HTTP (tools/kit/http.ts): one McpServer per session, all over
 * the one world of `sim`. Closing it leaves the SimHost running (it is the caller's).
 */
export function startSimHttpServer(options: SimHttpOptions): Promise<SimHttpServer> {
  return startHttpHost({
    host: options.host,
    port: options.port,
    server: () => createSimServer(options.sim.context()),
    name: "skyops sim http",
    token: options.token,
    allowedOrigins: options.allowedOrigins,
  });
}
