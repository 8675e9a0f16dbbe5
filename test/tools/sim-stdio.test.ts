import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ListOffersOutputSchema } from "../../src/domain/index.js";
import { SIM_TOOLS } from "../../tools/sim/index.js";
import { ROOT } from "./helpers.js";

describe("skyops tool sim over stdio", () => {
  let client: Client;
  let stderr = "";

  beforeAll(async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: ["dist/src/cli.js", "tool", "sim", "--speed", "0"], cwd: ROOT, stderr: "pipe" });
    transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    client = new Client({ name: "skyops-stdio-test", version: "0.0.0" });
    await client.connect(transport);
  });

  afterAll(async () => {
    await client.close();
  });

  it("lists the 14 tools to a client that spawned it", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...SIM_TOOLS].sort());
  });

  it("answers list_offers with structured offers, and keeps stdout for JSON-RPC alone", async () => {
    const result = (await client.callTool({ name: "list_offers", arguments: { cloud: "gcp", spot: true } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const { offers } = ListOffersOutputSchema.parse(result.structuredContent);
    expect(offers.length).toBeGreaterThan(0);
    expect(offers.every((o) => o.cloud === "gcp" && o.spotUsdPerHourNow !== null)).toBe(true);
    // anything else on stdout would have broken the JSON-RPC stream above; stderr may carry logs
    expect(stderr).not.toMatch(/Error/);
  });
});
