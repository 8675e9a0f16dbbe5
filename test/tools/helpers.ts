import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadWorldData } from "../../src/data/load.js";
import type { WorldData } from "../../src/domain/index.js";
import { SimHost, createSimServer } from "../../tools/sim/index.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

let data: WorldData | undefined;

/** A frozen host over the default world (the data is loaded once per test file). */
export function frozenHost(options: { readOnly?: boolean } = {}): SimHost {
  data ??= loadWorldData();
  return new SimHost({ speed: 0, data, readOnly: options.readOnly });
}

/** A real MCP client on the sim server of `host`, over the in-memory transport; tools already listed (so results are validated). */
export async function connect(host: SimHost): Promise<Client> {
  const server = createSimServer(host.context());
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "skyops-test", version: "0.0.0" });
  await client.connect(clientSide);
  await client.listTools();
  return client;
}

export async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** The text of a result's first content block. */
export function text(result: CallToolResult): string {
  const block = result.content[0];
  return block?.type === "text" ? block.text : "";
}

/** structuredContent of a successful call, failing loudly with the error text otherwise. */
export async function ok<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown>): Promise<T> {
  const result = await call(client, name, args);
  if (result.isError) throw new Error(`${name} failed: ${text(result)}`);
  return result.structuredContent as T;
}

/** Everything observable about a world, to show a refused call changed nothing. */
export function worldState(host: SimHost): unknown {
  const w = host.world;
  return {
    nowMs: w.nowMs,
    events: w.events().length,
    instances: w.listInstances({ includeEnded: true }),
    workloads: w.listWorkloads(),
    totals: w.totals(),
  };
}
