import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ListOffersOutputSchema } from "../../src/domain/index.js";
import { SIM_TOOLS, startSimHttpServer, type SimHost, type SimHttpServer } from "../../tools/sim/index.js";
import { frozenHost } from "./helpers.js";
import { ensureInspector, inspect, INSPECTOR_INSTALL_TIMEOUT_MS } from "./inspector-install.js";

/** The MCP Inspector's CLI as a real third-party client of the sim tool server. */
describe("the MCP Inspector as a client", () => {
  beforeAll(async () => {
    await ensureInspector();
  }, INSPECTOR_INSTALL_TIMEOUT_MS + 10_000);

  const stdioServer = ["node", "dist/src/cli.js", "tool", "sim"];

  it("lists all 14 tools of `skyops tool sim` over stdio", async () => {
    const out = (await inspect([...stdioServer, "--method", "tools/list"])) as { tools: { name: string; annotations?: { readOnlyHint?: boolean } }[] };
    const names = out.tools.map((t) => t.name);
    for (const tool of SIM_TOOLS) expect(names).toContain(tool);
    expect(names).toHaveLength(SIM_TOOLS.length);
  });

  it("calls list_offers with a key=value argument and gets offers of that cloud", async () => {
    const out = (await inspect([...stdioServer, "--method", "tools/call", "--tool-name", "list_offers", "--tool-arg", "cloud=aws"])) as {
      isError?: boolean;
      structuredContent?: unknown;
      content: { type: string; text: string }[];
    };
    expect(out.isError).toBeFalsy();
    const { offers } = ListOffersOutputSchema.parse(out.structuredContent);
    expect(offers.length).toBeGreaterThan(0);
    expect(offers.every((o) => o.cloud === "aws")).toBe(true);
    expect(out.content[0]?.text).toMatch(/offers \(aws/);
  });

  describe("over Streamable HTTP, as `skyops start` tells users to connect", () => {
    let host: SimHost;
    let http: SimHttpServer;
    beforeAll(async () => {
      host = frozenHost();
      http = await startSimHttpServer({ host: "127.0.0.1", port: 0, sim: host });
    });
    afterAll(async () => {
      await http.close();
      host.close();
    });

    it("lists the tools at the printed URL", async () => {
      const out = (await inspect([http.url, "--transport", "http", "--method", "tools/list"])) as { tools: { name: string }[] };
      expect(out.tools.map((t) => t.name).sort()).toEqual([...SIM_TOOLS].sort());
    });
  });
});
