import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { SimHost } from "./host.js";
import { createSimServer } from "./server.js";

/**
 * The embedded simulator as the daemon's hub reaches it: a factory of MCP in-memory transports, each a
 * fresh server session on the host's one world (the hub calls it again to reconnect).
 */
export function inMemorySimTransport(host: SimHost): () => Promise<Transport> {
  return async () => {
    const [client, server] = InMemoryTransport.createLinkedPair();
    await createSimServer(host.context()).connect(server);
    return client;
  };
}
