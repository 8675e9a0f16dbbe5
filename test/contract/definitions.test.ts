import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  CONTRACT,
  ERROR_CODES,
  ERROR_META_KEY,
  GENERAL_ERRORS,
  PROFILES,
  TOOL_ERROR_CODES,
  TOOL_NAMES,
  ToolError,
  errorCodeOf,
  type AnyContractTool,
} from "../../src/domain/index.js";
import { listedJsonSchema } from "./suite.js";

/** The contract's own definitions hold together: what the suite and every client take on trust. */

const tools: AnyContractTool[] = Object.values(CONTRACT);

function arrayOfRecords(output: z.ZodObject, list: string): z.ZodObject | null {
  const field = output.shape[list];
  return field instanceof z.ZodArray && field.element instanceof z.ZodObject ? (field.element as z.ZodObject) : null;
}

describe("the tool contract's definitions", () => {
  it("name each tool by its key, snake_case, with a title and a description", () => {
    for (const [name, tool] of Object.entries(CONTRACT)) {
      expect(tool.name).toBe(name);
      expect(name).toMatch(/^[a-z]+(?:_[a-z]+)+$|^(?:launch|terminate|scale)$/);
      expect(tool.title.length, name).toBeGreaterThan(5);
      expect(tool.description.length, name).toBeGreaterThan(80);
    }
  });

  it("give every tool a strict input schema and an object output schema", () => {
    for (const tool of tools) {
      expect((listedJsonSchema(tool.inputSchema, "input") as { additionalProperties?: unknown }).additionalProperties, tool.name).toBe(false);
      expect(tool.inputSchema.safeParse({ "not-an-argument": 1 }).success, tool.name).toBe(false);
      expect((listedJsonSchema(tool.outputSchema, "output") as { type?: string }).type, tool.name).toBe("object");
    }
  });

  it("make every changing tool, and no reading tool, require an idempotencyKey", () => {
    for (const tool of tools) {
      const required = (listedJsonSchema(tool.inputSchema, "input") as { required?: string[] }).required ?? [];
      expect(required.includes("idempotencyKey"), tool.name).toBe(!tool.annotations.readOnlyHint);
      if (tool.annotations.readOnlyHint) expect(tool.annotations.destructiveHint, tool.name).toBe(false);
    }
  });

  it("let exactly the listing tools take sinceRevision", () => {
    for (const tool of tools) expect("sinceRevision" in tool.inputSchema.shape, tool.name).toBe(tool.listing !== null);
    expect(tools.filter((t) => t.listing !== null).map((t) => t.name)).toEqual(["list_offers", "list_instances", "get_health", "list_workloads", "get_drift"]);
  });

  it("key each listed list by a field of its records, with its accruing fields, order fields and whole lists in the output", () => {
    for (const tool of tools) {
      if (tool.listing === null) continue;
      const output = tool.outputSchema as z.ZodObject;
      for (const [list, spec] of Object.entries(tool.listing.lists)) {
        const record = arrayOfRecords(output, list);
        expect(record, `${tool.name}.${list}`).not.toBeNull();
        expect(Object.keys(record!.shape), `${tool.name}.${list}`).toContain(spec.key);
        for (const field of Object.keys(spec.accruing ?? {})) expect(Object.keys(record!.shape), `${tool.name}.${list}.${field}`).toContain(field);
        if (spec.orderOf !== undefined) {
          for (const field of spec.orderOf) expect(Object.keys(record!.shape), `${tool.name}.${list} orderOf`).toContain(field);
          expect(spec.orderOf.at(-1), `${tool.name}.${list}: the order ends with the key`).toBe(spec.key);
        }
        if (spec.atMsOfAnswer === true) expect(Object.keys(record!.shape)).toContain("atMs");
      }
      for (const list of tool.listing.whole ?? []) expect(output.shape[list], `${tool.name}.${list}`).toBeInstanceOf(z.ZodArray);
      expect(output.shape["revision"], tool.name).toBeDefined();
      expect(output.shape["delta"], tool.name).toBeDefined();
    }
  });

  it("give quick checks of accruing values that accept only what the field's schema accepts", () => {
    const values: unknown[] = [0, 1, 0.5, 1e12, -0, -1, -1e-9, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null, undefined, "1", true, {}, []];
    let checked = 0;
    for (const tool of tools) {
      for (const [list, spec] of Object.entries(tool.listing?.lists ?? {})) {
        const record = arrayOfRecords(tool.outputSchema as z.ZodObject, list)!;
        for (const [field, quick] of Object.entries(spec.accruing ?? {})) {
          checked++;
          for (const value of values) if (quick(value)) expect((record.shape[field] as z.ZodType).safeParse(value).success, `${tool.name}.${list}.${field} ${String(value)}`).toBe(true);
        }
      }
    }
    expect(checked).toBe(3);
  });

  it("list only known codes as what a tool may answer, besides the general ones", () => {
    for (const tool of tools) {
      for (const code of tool.errors) {
        expect(TOOL_ERROR_CODES, tool.name).toContain(code);
        expect(GENERAL_ERRORS as readonly string[], `${tool.name} lists the general ${code}`).not.toContain(code);
      }
      if (!tool.annotations.readOnlyHint) expect(tool.errors, tool.name).toContain("idempotency-mismatch");
    }
  });

  it("retry only throttled and unavailable, and say what every code means", () => {
    expect(TOOL_ERROR_CODES.filter((c) => ERROR_CODES[c].retryable)).toEqual(["throttled", "unavailable"]);
    for (const code of TOOL_ERROR_CODES) expect(ERROR_CODES[code].meaning.length, code).toBeGreaterThan(20);
    for (const code of ["no-capacity", "quota-exceeded", "throttled", "not-found", "invalid-target", "invalid-argument", "conflict", "idempotency-mismatch", "unauthorized", "unavailable", "internal"]) {
      expect(TOOL_ERROR_CODES).toContain(code);
    }
  });

  it("profile a cloud, a cluster and the drift server so that together they offer every tool, and the sim all of them", () => {
    const names = (profile: readonly AnyContractTool[]) => profile.map((t) => t.name);
    expect(names(PROFILES.cloud)).toEqual(["list_offers", "get_price_history", "list_instances", "get_health", "get_egress_price", "launch", "terminate"]);
    expect(names(PROFILES.cluster)).toEqual(["list_workloads", "get_health", "scale", "set_traffic_weights", "set_model_version", "request_checkpoint", "resume_from_checkpoint"]);
    expect(names(PROFILES.drift)).toEqual(["get_drift"]);
    expect(new Set([...PROFILES.cloud, ...PROFILES.cluster, ...PROFILES.drift].map((t) => t.name))).toEqual(new Set(TOOL_NAMES));
    expect([...names(PROFILES.sim)].sort()).toEqual([...TOOL_NAMES].sort());
    for (const profile of Object.values(PROFILES)) for (const tool of profile) expect(CONTRACT[tool.name]).toBe(tool);
  });
});

describe("a typed tool error", () => {
  it("reads as `field: message. hint` and carries its code, hint, field and the table's retryable", () => {
    const error = new ToolError("no-capacity", "gcp/us-central1 is out of A100 capacity", { hint: "try another region", field: "region" });
    expect(error.text()).toBe("region: gcp/us-central1 is out of A100 capacity. try another region");
    expect(error.payload()).toEqual({ code: "no-capacity", message: "gcp/us-central1 is out of A100 capacity", hint: "try another region", field: "region", retryable: false });
    expect(new ToolError("throttled", "slow down").payload()).toEqual({ code: "throttled", message: "slow down", retryable: true });
    expect(new ToolError("throttled", "slow down").text()).toBe("slow down");
  });

  it("is read back by its code, and as internal when an error result carries none skyops knows", () => {
    expect(errorCodeOf({ [ERROR_META_KEY]: new ToolError("conflict", "busy").payload() })).toBe("conflict");
    expect(errorCodeOf({ [ERROR_META_KEY]: { code: "conflict" } })).toBe("conflict");
    for (const meta of [undefined, null, {}, { [ERROR_META_KEY]: { code: "on-fire" } }, { [ERROR_META_KEY]: "throttled" }, { error: { code: "throttled" } }]) {
      expect(errorCodeOf(meta), JSON.stringify(meta)).toBe("internal");
    }
  });
});
