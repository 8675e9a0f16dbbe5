import { request } from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LaunchOutputSchema, ListInstancesOutputSchema, ListOffersOutputSchema } from "../../src/domain/index.js";
import { SIM_TOOLS, startSimHttpServer, type SimHost, type SimHttpServer } from "../../tools/sim/index.js";
import { frozenHost } from "./helpers.js";

let host: SimHost;
let http: SimHttpServer;
const clients: Client[] = [];

async function httpClient(): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: "skyops-http-test", version: "0.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(http.url));
  await client.connect(transport);
  clients.push(client);
  return { client, transport };
}

/** A raw HTTP exchange (node:http, so any Host header can be sent). */
function raw(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const url = new URL(http.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      },
      (res) => {
        let data = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (data += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: data === "" ? null : (JSON.parse(data) as unknown) }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

beforeAll(async () => {
  host = frozenHost();
  http = await startSimHttpServer({ host: "127.0.0.1", port: 0, sim: host });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await http.close();
  host.close();
});

describe("the sim tool server over Streamable HTTP", () => {
  it("binds the loopback address it was given, on an ephemeral port", () => {
    expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(http.port).toBeGreaterThan(0);
  });

  it("lists the tools and answers list_offers to a real client", async () => {
    const { client } = await httpClient();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...SIM_TOOLS].sort());
    const result = (await client.callTool({ name: "list_offers", arguments: { cloud: "aws", accelerator: "A100" } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const { offers } = ListOffersOutputSchema.parse(result.structuredContent);
    expect(offers.length).toBeGreaterThan(0);
    expect(offers.every((o) => o.cloud === "aws" && o.accelerator === "A100")).toBe(true);
  });

  it("shares one world between sessions: a launch by one client is seen by another", async () => {
    const a = await httpClient();
    const b = await httpClient();
    expect(a.transport.sessionId).toBeDefined();
    expect(a.transport.sessionId).not.toBe(b.transport.sessionId);
    const launched = (await a.client.callTool({
      name: "launch",
      arguments: { cloud: "azure", region: "eastus", gpu: "T4:1", spot: false, count: 1, idempotencyKey: "http-test/launch" },
    })) as CallToolResult;
    expect(launched.isError, JSON.stringify(launched.content)).toBeFalsy();
    const [instance] = LaunchOutputSchema.parse(launched.structuredContent).instances;
    const seen = (await b.client.callTool({ name: "list_instances", arguments: { cloud: "azure" } })) as CallToolResult;
    expect(ListInstancesOutputSchema.parse(seen.structuredContent).instances.map((i) => i.id)).toContain(instance!.id);
  });

  it("ends a session on DELETE", async () => {
    const { transport } = await httpClient();
    const open = http.sessionCount();
    await transport.terminateSession();
    expect(http.sessionCount()).toBe(open - 1);
  });

  it("answers a body that is not JSON with 400 and a JSON-RPC parse error", async () => {
    const res = await raw("POST", "/mcp", "{not json");
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32700, message: expect.stringMatching(/^Parse error: the request body is not valid JSON/) } });
  });

  it("asks for initialize first when a request has no session", async () => {
    const res = await raw("POST", "/mcp", JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: -32000, message: expect.stringMatching(/initialize/) } });
  });

  it("answers an unknown session with 404 so the client starts a new one", async () => {
    const res = await raw("POST", "/mcp", JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }), { "mcp-session-id": "no-such-session" });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { code: -32001 } });
  });

  it("answers other paths with a 404 JSON body and other methods with 405", async () => {
    const other = await raw("GET", "/elsewhere");
    expect(other.status).toBe(404);
    expect(other.json).toMatchObject({ error: "not_found", message: expect.stringContaining("/mcp") });
    expect((await raw("PUT", "/mcp", "{}")).status).toBe(405);
  });

  it("refuses a Host header that is not loopback (DNS rebinding)", async () => {
    const res = await raw("POST", "/mcp", "{}", { host: "attacker.example" });
    expect(res.status).toBe(403);
    const origin = await raw("POST", "/mcp", "{}", { origin: "https://attacker.example" });
    expect(origin.status).toBe(403);
  });
});
