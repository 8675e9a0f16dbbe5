import { describe, expect, it } from "vitest";
import { isAgentPrincipal } from "../../src/domain/index.js";
import { ApiTokenSchema, TokenAuthenticator, checkRequestOrigin, isLoopbackAddress, newApiToken, originPolicy, parseTokenList, sha256Hex } from "../../src/server/auth.js";

describe("API tokens", () => {
  it("authenticates a bearer token to its user, holding only its hash", () => {
    const alice = newApiToken("alice");
    const bob = newApiToken("bob");
    const auth = new TokenAuthenticator([alice.entry, bob.entry]);
    expect(alice.token).toMatch(/^skyops_[A-Za-z0-9_-]{43}$/);
    expect(alice.entry.sha256).toBe(sha256Hex(alice.token));
    expect(JSON.stringify(alice.entry)).not.toContain(alice.token);
    expect(auth.authenticate(`Bearer ${alice.token}`)).toEqual({ user: "alice" });
    expect(auth.authenticate(`bearer ${bob.token}`)).toEqual({ user: "bob" });
  });

  it("refuses a missing, malformed or unknown token", () => {
    const auth = new TokenAuthenticator([newApiToken("alice").entry]);
    expect(auth.authenticate(undefined)).toEqual({ refused: "missing" });
    expect(auth.authenticate("Basic YWxpY2U6eA==")).toEqual({ refused: "missing" });
    expect(auth.authenticate("Bearer")).toEqual({ refused: "missing" });
    expect(auth.authenticate(`Bearer ${newApiToken("alice").token}`)).toEqual({ refused: "invalid" });
    expect(new TokenAuthenticator([]).authenticate("Bearer anything")).toEqual({ refused: "invalid" });
  });

  it("reads SKYOPS_API_TOKENS as user=token pairs, hashed, and names a bad pair without showing it", () => {
    const entries = parseTokenList("alice=aaaaaaaaaaaaaaaaaaaa, bob=bbbbbbbbbbbbbbbbbbbb\ncarol=cccccccccccccccccccc");
    expect(entries).toEqual([
      { user: "alice", sha256: sha256Hex("aaaaaaaaaaaaaaaaaaaa") },
      { user: "bob", sha256: sha256Hex("bbbbbbbbbbbbbbbbbbbb") },
      { user: "carol", sha256: sha256Hex("cccccccccccccccccccc") },
    ]);
    expect(() => parseTokenList("alice=aaaaaaaaaaaaaaaaaaaa,bob=short")).toThrow(/^pair 2 of 2 is not user=TOKEN/);
    expect(() => parseTokenList("alice=aaaaaaaaaaaaaaaaaaaa,bob=short")).not.toThrow(/short/);
    expect(() => parseTokenList("Daemon=dddddddddddddddddddd")).toThrow(/own principals/);
  });

  it("refuses a token configured for one of skyops' own principals, in any case", () => {
    for (const user of ["builtin", "BuiltIn", "daemon", "LLM", "policy", "executor"]) {
      expect(isAgentPrincipal(user)).toBe(true);
      expect(ApiTokenSchema.safeParse({ user, sha256: "0".repeat(64) }).success).toBe(false);
    }
    expect(isAgentPrincipal("alice")).toBe(false);
    expect(ApiTokenSchema.parse({ user: "alice", sha256: "A".repeat(64) })).toEqual({ user: "alice", sha256: "a".repeat(64) });
  });
});

describe("Host and Origin", () => {
  it("knows loopback addresses", () => {
    for (const h of ["127.0.0.1", "127.0.0.53", "localhost", "::1", "[::1]"]) expect(isLoopbackAddress(h)).toBe(true);
    for (const h of ["0.0.0.0", "10.0.0.5", "::", "example.org", "128.0.0.1"]) expect(isLoopbackAddress(h)).toBe(false);
  });

  it("on loopback, answers only loopback Host names with its port, and only its own Origin", () => {
    const p = originPolicy("127.0.0.1", 7070);
    expect(checkRequestOrigin(p, { host: "127.0.0.1:7070" })).toBeNull();
    expect(checkRequestOrigin(p, { host: "localhost:7070", origin: "http://localhost:7070" })).toBeNull();
    expect(checkRequestOrigin(p, { host: "[::1]:7070", origin: "http://127.0.0.1:7070/" })).toBeNull();
    // a DNS-rebinding page reaches 127.0.0.1 under its own name
    expect(checkRequestOrigin(p, { host: "evil.example:7070" })).toMatch(/^Host "evil.example:7070"/);
    expect(checkRequestOrigin(p, { host: "127.0.0.1:7071" })).toMatch(/Host/);
    expect(checkRequestOrigin(p, {})).toMatch(/Host ""/);
    expect(checkRequestOrigin(p, { host: "127.0.0.1:7070", origin: "http://evil.example" })).toMatch(/^Origin "http:\/\/evil.example"/);
    expect(checkRequestOrigin(p, { host: "127.0.0.1:7070", origin: "null" })).toMatch(/Origin/);
    expect(checkRequestOrigin(p, { host: "127.0.0.1:7070", origin: "http://127.0.0.1:7071" })).toMatch(/Origin/);
  });

  it("beyond loopback, answers any Host unless allowed hosts are configured, and adds configured origins", () => {
    const open = originPolicy("0.0.0.0", 7070);
    expect(checkRequestOrigin(open, { host: "skyops.internal:7070" })).toBeNull();
    expect(checkRequestOrigin(open, { host: "skyops.internal:7070", origin: "http://skyops.internal:7070" })).toMatch(/Origin/);
    const closed = originPolicy("0.0.0.0", 7070, { allowedHosts: ["skyops.internal", "10.0.0.5:8080", "::1"], allowedOrigins: ["https://ops.example.org/"] });
    expect(checkRequestOrigin(closed, { host: "skyops.internal:7070", origin: "http://skyops.internal:7070" })).toBeNull();
    expect(checkRequestOrigin(closed, { host: "10.0.0.5:8080" })).toBeNull();
    expect(checkRequestOrigin(closed, { host: "[::1]:7070" })).toBeNull();
    expect(checkRequestOrigin(closed, { host: "other:7070" })).toMatch(/Host/);
    expect(checkRequestOrigin(closed, { host: "skyops.internal:7070", origin: "https://ops.example.org" })).toBeNull();
  });
});
