import { describe, expect, it } from "vitest";
import { DEFAULT_TIMEOUT_MS, HubConfigError, parseHubServers } from "../../src/agent/hub-config.js";

function problems(input: unknown, inMemory?: readonly string[]): readonly string[] {
  try {
    parseHubServers(input, inMemory === undefined ? {} : { inMemory });
  } catch (error) {
    if (error instanceof HubConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("the tool server configuration", () => {
  it("accepts one server of each transport and fills in the defaults", () => {
    const servers = parseHubServers(
      [
        { name: "sim", transport: "in-memory" },
        { name: "aws-prod", transport: "stdio", command: "node", args: ["dist/src/cli.js", "tool", "sim"], env: { AWS_PROFILE: "prod" }, readOnly: true },
        { name: "k8s", transport: "http", url: "https://k8s.example.com/mcp", headers: { Authorization: "Bearer x" }, timeoutMs: 2_000 },
      ],
      { inMemory: ["sim"] },
    );
    expect(servers.map((s) => [s.name, s.transport, s.timeoutMs, s.readOnly])).toEqual([
      ["sim", "in-memory", DEFAULT_TIMEOUT_MS, false],
      ["aws-prod", "stdio", DEFAULT_TIMEOUT_MS, true],
      ["k8s", "http", 2_000, false],
    ]);
  });

  it("reports every problem together, each with its path", () => {
    const found = problems([
      { name: "Sim_1", transport: "in-memory" },
      { name: "aws", transport: "stdio" },
      { name: "gcp", transport: "http", url: "ftp://example.com/mcp" },
      { name: "azure", transport: "http", url: "not a url" },
      { name: "k8s", transport: "http" },
      { name: "aws", transport: "in-memory" },
      { name: "drift", transport: "carrier-pigeon" },
      { name: "x", transport: "stdio", command: "node", timeoutMs: -1, colour: "blue" },
    ]);
    const text = found.join("\n");
    expect(text).toMatch(/servers\[0\]\.name: server names are kebab-case/);
    expect(text).toMatch(/servers\[1\]\.command: a stdio server needs command/);
    expect(text).toMatch(/servers\[2\]\.url: url must be http:\/\/ or https:\/\/, not ftp:/);
    expect(text).toMatch(/servers\[3\]\.url: url is not a valid URL/);
    expect(text).toMatch(/servers\[4\]\.url: an http server needs url/);
    expect(text).toMatch(/servers\[5\]\.name: server name "aws" is already used by entry 1/);
    expect(text).toMatch(/servers\[6\]\.transport/);
    expect(text).toMatch(/servers\[7\]\.timeoutMs/);
    expect(text).toMatch(/servers\[7\]: .*colour/);
  });

  it("refuses fields that belong to another transport", () => {
    expect(problems([{ name: "sim", transport: "in-memory", url: "http://127.0.0.1:1/mcp", command: "node" }])).toEqual([
      "servers[0].command: command is only for transport stdio; this server's transport is in-memory",
      "servers[0].url: url is only for transport http; this server's transport is in-memory",
    ]);
  });

  it("takes an empty args list or env map on any transport as not given", () => {
    expect(problems([{ name: "sim", transport: "in-memory", args: [], env: {} }, { name: "k8s", transport: "http", url: "http://127.0.0.1:1/mcp", args: [] }])).toEqual([]);
  });

  it("refuses credentials in a URL, pointing at headers", () => {
    expect(problems([{ name: "k8s", transport: "http", url: "https://user:pw@k8s.example.com/mcp" }]).join("\n")).toMatch(/must not carry credentials: put them in headers/);
  });

  it("needs a factory in code for every in-memory server", () => {
    expect(problems([{ name: "sim", transport: "in-memory" }, { name: "drift", transport: "in-memory" }], ["sim"])).toEqual([
      'servers[1].name: in-memory server "drift" has no factory: built-in servers are supplied in code (known: sim)',
    ]);
  });

  it("never repeats the value of env or headers in a problem", () => {
    const secret = "hunter2-very-secret";
    const found = problems([
      { name: "aws", transport: "stdio", command: "node", env: { TOKEN: secret, BAD: 42 } },
      { name: "k8s", transport: "http", url: "ftp://x", headers: { Authorization: secret } },
    ]);
    expect(found.length).toBeGreaterThan(0);
    expect(found.join("\n")).not.toContain(secret);
  });
});
