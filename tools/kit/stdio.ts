import type { Readable, Writable } from "node:stream";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

export interface StdioHost {
  /** Resolves when the client goes away (stdin ends) or `close()` is called. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves one MCP server over stdio: JSON-RPC on stdout, so nothing else may be written there (logs go to
 * stderr). Ends when stdin ends, as when the client process exits; `onClose` runs once, after the server closed.
 */
export async function serveStdio(server: McpServer, io: { stdin?: Readable; stdout?: Writable } = {}, onClose: () => void = () => {}): Promise<StdioHost> {
  const stdin = io.stdin ?? process.stdin;
  const transport = new StdioServerTransport(stdin, io.stdout ?? process.stdout);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= server.close().finally(() => {
      onClose();
      resolveClosed();
    });
    return closing;
  };
  stdin.once("end", () => void close());
  await server.connect(transport);
  return { closed, close };
}
