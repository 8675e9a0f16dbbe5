import { request } from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { McpHub } from "../../src/agent/hub.js";
import { CONTRACT, ERROR_META_KEY, PROFILES, ToolError } from "../../src/domain/index.js";
import { createToolServer, originOf, startHttpHost, type Handlers, type HttpHost, type HttpHostOptions } from "../../tools/kit/index.js";

/** A drift server whose get_drift answers as `answer` says: a report list, a refusal, or a bug. */
function driftServer(answer: "ok" | "refuse" | "own-error" | "bug", options: { readOnly?: boolean } = {}): McpServer {
  const handlers: Handlers<typeof PROFILES.drift> = {
    get_drift: () => {
      if (answer === "refuse") throw new ToolError("not-found", 'unknown workload "ghost"', { hint: "call list_workloads for the ids that exist", field: "workloadId" });
      if (answer === "own-error") throw new RangeError("the cloud SDK's own refusal");
      if (answer === "bug") throw new TypeError("cannot read properties of undefined");
      return { value: { atMs: 1_000, reports: [] }, text: "No serving workloads." };
    },
  };
  return createToolServer({ name: "drift-test", version: "0.0.0" }, PROFILES.drift, handlers, {
    readOnly: options.readOnly,
    toToolError: (error) => (error instanceof RangeError ? new ToolError("quota-exceeded", error.message) : undefined),
  });
}

async function connected(server: McpServer): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "kit-test", version: "0.0.0" });
  await client.connect(clientSide);
  return client;
}

async function getDrift(client: Client): Promise<CallToolResult> {
  return (await client.callTool({ name: "get_drift", arguments: {} })) as CallToolResult;
}

describe("createToolServer", () => {
  it("registers each tool from its contract definition: title, description, schemas and the four hints", async () => {
    const client = await connected(driftServer("ok"));
    const [tool] = (await client.listTools()).tools;
    const contract = CONTRACT.get_drift;
    expect(tool).toMatchObject({ name: "get_drift", title: contract.title, description: contract.description, annotations: { title: contract.title, ...contract.annotations } });
    expect(await getDrift(client)).toEqual({ content: [{ type: "text", text: "No serving workloads." }], structuredContent: { atMs: 1_000, reports: [] } });
  });

  it("offers in read-only mode only the tools whose readOnlyHint is true", async () => {
    const handlers = Object.fromEntries(PROFILES.cloud.map((t) => [t.name, () => ({ value: {}, text: "" })])) as unknown as Handlers<typeof PROFILES.cloud>;
    const client = await connected(createToolServer({ name: "cloud-test", version: "0.0.0" }, PROFILES.cloud, handlers, { readOnly: true }));
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["list_offers", "get_price_history", "list_instances", "get_health", "get_egress_price"]);
  });

  it("answers a ToolError with an error result: its text, and the typed error in _meta", async () => {
    const result = await getDrift(await connected(driftServer("refuse")));
    expect(result).toEqual({
      isError: true,
      content: [{ type: "text", text: 'workloadId: unknown workload "ghost". call list_workloads for the ids that exist' }],
      _meta: { [ERROR_META_KEY]: { code: "not-found", message: 'unknown workload "ghost"', hint: "call list_workloads for the ids that exist", field: "workloadId", retryable: false } },
    });
  });

  it("turns a server's own errors into ToolErrors where it says how, and lets every other error through without a code", async () => {
    expect((await getDrift(await connected(driftServer("own-error"))))._meta).toEqual({ [ERROR_META_KEY]: { code: "quota-exceeded", message: "the cloud SDK's own refusal", retryable: false } });
    const bug = await getDrift(await connected(driftServer("bug")));
    expect(bug.isError).toBe(true);
    expect(bug._meta).toBeUndefined();
    expect(bug.content[0]).toMatchObject({ text: "cannot read properties of undefined" });
  });

  it("refuses to build a server with a tool that has no handler", () => {
    expect(() => createToolServer({ name: "broken", version: "0.0.0" }, PROFILES.drift, {} as Handlers<typeof PROFILES.drift>)).toThrow(/broken: no handler for get_drift/);
  });
});

describe("the Streamable HTTP host", () => {
  const hosts: HttpHost[] = [];
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.close()));
  });
  async function host(options: Partial<HttpHostOptions> = {}): Promise<HttpHost> {
    const h = await startHttpHost({ port: 0, server: () => driftServer("ok"), name: "kit test", ...options });
    hosts.push(h);
    return h;
  }

  const INITIALIZE = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "0" } } });

  /** A raw POST of an initialize request, with whatever headers (node:http sends any Host). */
  function post(h: HttpHost, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
    const url = new URL(h.url);
    return new Promise((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, method: "POST", path: url.pathname, headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers } },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (body += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on("error", reject);
      req.end(INITIALIZE);
    });
  }

  it("binds 127.0.0.1 when given no address", async () => {
    expect((await host()).url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  });

  it("answers 403 to a foreign Origin and to a Host that is not loopback, and serves loopback origins and the allowed ones", async () => {
    const h = await host({ allowedOrigins: ["https://console.example"] });
    expect((await post(h, { origin: "https://evil.example" })).status).toBe(403);
    expect((await post(h, { origin: "null" })).status).toBe(403);
    expect((await post(h, { host: "evil.example" })).status).toBe(403);
    expect((await post(h, { origin: "https://console.example" })).status).toBe(200);
    expect((await post(h, { origin: "http://localhost:6274" })).status).toBe(200);
    expect((await post(h, {})).status).toBe(200);
  });

  it("with a token, answers 401 with WWW-Authenticate: Bearer without it or with another, and serves it", async () => {
    const h = await host({ token: "s3cret-token" });
    const none = await post(h, {});
    expect(none.status).toBe(401);
    expect(none.headers["www-authenticate"]).toBe('Bearer realm="skyops"');
    const wrong = await post(h, { authorization: "Bearer s3cret-tokeN" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers["www-authenticate"]).toBe('Bearer realm="skyops", error="invalid_token"');
    expect((await post(h, { authorization: "Basic czNjcmV0LXRva2Vu" })).status).toBe(401);
    expect((await post(h, { authorization: "Bearer s3cret-token" })).status).toBe(200);
    // a foreign origin is refused before the token is looked at
    expect((await post(h, { authorization: "Bearer s3cret-token", origin: "https://evil.example" })).status).toBe(403);
    expect(none.body).not.toContain("s3cret");
  });

  it("refuses to serve an address that is not loopback without a token, and serves one with it", async () => {
    await expect(host({ host: "0.0.0.0" })).rejects.toThrow(/refusing to serve MCP on 0\.0\.0\.0 without a bearer token/);
    const h = await host({ host: "0.0.0.0", token: "s3cret-token" });
    expect(h.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/mcp$/);
  });

  it("is reached by a client that sends the token, and by the daemon's hub configured with it", async () => {
    const h = await host({ token: "s3cret-token" });
    const client = new Client({ name: "kit-test", version: "0.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(h.url), { requestInit: { headers: { authorization: "Bearer s3cret-token" } } }));
    expect((await getDrift(client)).structuredContent).toEqual({ atMs: 1_000, reports: [] });
    await client.close();

    const hub = await McpHub.connect(
      [
        { name: "drift", transport: "http", url: h.url, headers: { authorization: "Bearer s3cret-token" }, timeoutMs: 5_000 },
        { name: "no-token", transport: "http", url: h.url, timeoutMs: 5_000 },
      ],
      { reconnect: { initialMs: 60_000, maxMs: 60_000 } },
    );
    try {
      expect(await hub.call("drift", "get_drift", {})).toMatchObject({ ok: true, structured: { reports: [] } });
      expect(hub.servers().find((s) => s.name === "no-token")).toMatchObject({ state: "disconnected", error: expect.stringMatching(/Unauthorized: send the server.s token/) });
    } finally {
      await hub.close();
    }
  });
});

describe("originOf", () => {
  it("takes an http(s) origin, and refuses a path, another scheme or text that is not a URL", () => {
    expect(originOf("https://console.example")).toBe("https://console.example");
    expect(originOf("https://Console.Example:8443/")).toBe("https://console.example:8443");
    for (const bad of ["console.example", "https://console.example/app", "ftp://console.example", "https://console.example?x=1", "null"]) expect(() => originOf(bad), bad).toThrow(/is not an origin/);
  });
});
