import type { Readable, Writable } from "node:stream";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { SimHost } from "./host.js";
import { createSimServer } from "./server.js";

export interface SimStdioServer {
  /** Resolves when the client goes away (stdin ends) or `close()` is called. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves the sim tools over stdio: JSON-RPC on stdout, so nothing else may be written there (logs go to
 * stderr). Ends when stdin ends, as when the client process exits.
 */
export async function serveSimStdio(sim: SimHost, io: { stdin?: Readable; stdout?: Writable } = {}): Promise<SimStdioServer> {
  const stdin = io.stdin ?? process.stdin;
  const server = createSimServer(sim.context());
  const transport = new StdioServerTransport(stdin, io.stdout ?? process.stdout);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= server.close().finally(() => {
      sim.close();
      resolveClosed();
    });
    return closing;
  };
  stdin.once("end", () => void close());
  await server.connect(transport);
  return { closed, close };
}
