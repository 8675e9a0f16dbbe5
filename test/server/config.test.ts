import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/server/auth.js";
import { describeConfig, loadConfig } from "../../src/server/config.js";
import { InputError } from "../../src/server/yaml-input.js";

const dir = mkdtempSync(join(tmpdir(), "skyops-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (text: string): string => {
  const path = join(dir, `c${++n}.yaml`);
  writeFileSync(path, text);
  return path;
};
const problems = (f: () => unknown): string[] => {
  try {
    f();
  } catch (error) {
    if (error instanceof InputError) return error.problems.map((p) => `${p.file}${p.line > 0 ? `:${p.line}` : ""}: ${p.problem}`);
    throw error;
  }
  return [];
};

describe("the configuration", () => {
  it("loads any valid file, flags included beside it", () => {
    const c = loadConfig({ file: file("autonomy: observe\n"), env: {}, overrides: { state: "/tmp/x", dryRun: true } });
    expect([c.autonomy, c.state, c.dryRun]).toEqual(["observe", "/tmp/x", true]);
  });

  it("takes an empty file, or one of comments only, as all defaults", () => {
    const defaults = loadConfig({ env: {} });
    expect(loadConfig({ file: file(""), env: {} })).toEqual(defaults);
    expect(loadConfig({ file: file("# nothing set yet\n"), env: {} })).toEqual(defaults);
  });

  it("sets tool servers from the file, which no flag can", () => {
    const c = loadConfig({
      file: file(["servers:", "  - name: sim", "    transport: stdio", "    command: skyops", "    args: [tool, sim, --speed, '0']", "    timeoutMs: 5000"].join("\n")),
      env: {},
    });
    expect(c.servers).toEqual([{ name: "sim", transport: "stdio", command: "skyops", args: ["tool", "sim", "--speed", "0"], timeoutMs: 5000, readOnly: false }]);
  });

  it("names an unknown key at its line", () => {
    expect(problems(() => loadConfig({ file: file("autonomy: auto\napprover: daemon\n"), env: {} }))).toEqual([expect.stringMatching(/c\d+\.yaml:2: unknown key "approver"/)]);
  });

  it("refuses an HTTP port over 65535, naming where it was set", () => {
    expect(problems(() => loadConfig({ env: {}, overrides: { http: "127.0.0.1:99999" } }))).toEqual([expect.stringMatching(/^flag --http: http: port 99999 is over 65535/)]);
    expect(problems(() => loadConfig({ env: { SKYOPS_HTTP: "127.0.0.1:65536" } }))).toEqual([expect.stringMatching(/^environment SKYOPS_HTTP="127\.0\.0\.1:65536": http: port 65536 is over 65535/)]);
    expect(problems(() => loadConfig({ file: file("logLevel: info\nhttp: 127.0.0.1:70000\n"), env: {} }))).toEqual([expect.stringMatching(/c\d+\.yaml:2: http: port 70000 is over 65535/)]);
    expect(loadConfig({ env: {}, overrides: { http: "127.0.0.1:65535" } }).http).toBe("127.0.0.1:65535");
  });

  it("refuses to listen beyond loopback without an API token, naming the option", () => {
    expect(problems(() => loadConfig({ env: {}, overrides: { http: "0.0.0.0:7070" } }))).toEqual([
      expect.stringMatching(/^flag --http: http: 0\.0\.0\.0:7070 is not a loopback address and no API token is configured.*api\.tokens or SKYOPS_API_TOKENS/),
    ]);
    expect(problems(() => loadConfig({ file: file("http: 10.1.2.3:7070\n"), env: {} }))).toEqual([expect.stringMatching(/http: 10\.1\.2\.3:7070 is not a loopback address/)]);
    const c = loadConfig({ env: { SKYOPS_API_TOKENS: "alice=aaaaaaaaaaaaaaaaaaaaaaaa" }, overrides: { http: "0.0.0.0:7070" } });
    expect(c.api.tokens).toEqual([{ user: "alice", sha256: sha256Hex("aaaaaaaaaaaaaaaaaaaaaaaa") }]);
  });

  it("adds SKYOPS_API_TOKENS to the file's tokens, and never shows a token in an error", () => {
    const hashed = sha256Hex("bbbbbbbbbbbbbbbbbbbbbbbb");
    const c = loadConfig({ file: file(`api:\n  tokens:\n    - {user: bob, sha256: ${hashed}}\n`), env: { SKYOPS_API_TOKENS: "alice=aaaaaaaaaaaaaaaaaaaaaaaa" } });
    expect(c.api.tokens.map((t) => t.user)).toEqual(["bob", "alice"]);
    const bad = problems(() => loadConfig({ env: { SKYOPS_API_TOKENS: "alice=aaaaaaaaaaaaaaaaaaaaaaaa,eve=tiny" } }));
    expect(bad).toEqual([expect.stringMatching(/^environment SKYOPS_API_TOKENS: pair 2 of 2/)]);
    expect(bad.join("")).not.toMatch(/aaaa|tiny/);
  });

  it("refuses a token for one of skyops' own principals, and a token that is not a hash", () => {
    expect(problems(() => loadConfig({ file: file(`api:\n  tokens:\n    - {user: Daemon, sha256: "${"0".repeat(64)}"}\n`), env: {} }))).toEqual([expect.stringMatching(/:3: api\.tokens\.0\.user: that is one of skyops' own principals/)]);
    expect(problems(() => loadConfig({ file: file(`api:\n  tokens:\n    - {user: bob, sha256: ${"1".repeat(64)}}\n`), env: {} }))).toEqual([expect.stringMatching(/sha256: write sha256 in quotes/)]);
    expect(problems(() => loadConfig({ file: file("api:\n  tokens:\n    - {user: bob, sha256: hunter2}\n"), env: {} }))).toEqual([expect.stringMatching(/api\.tokens\.0\.sha256: sha256 is the token's SHA-256/)]);
  });

  it("describes the API options in --help-config", () => {
    const options = describeConfig().map((o) => o.option);
    expect(options).toEqual(expect.arrayContaining(["api", "api.tokens", "api.allowedHosts", "api.allowedOrigins"]));
    expect(options).not.toContain("approver");
    expect(options).not.toContain("llm");
  });
});
