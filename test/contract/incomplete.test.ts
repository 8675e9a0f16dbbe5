import { describe, expect, it } from "vitest";
import { incompleteCloud } from "./fixtures/incomplete-cloud.js";
import { checkAnswers, checkIdempotency, checkIncrementalListing, checkMalformedArguments, checkReadOnlyMode, checkRefusals, checkToolList } from "./suite.js";

/*
 * The contract suite holds a server to the contract: a deliberately incomplete cloud server
 * (fixtures/incomplete-cloud.ts lists its mistakes) fails each check with messages that name the tool and
 * what is wrong, and nothing else.
 */
describe("the contract suite on a deliberately incomplete cloud server", () => {
  it("names the missing tool, the schemas that differ and the wrong annotation", async () => {
    expect(await checkToolList(incompleteCloud)).toEqual([
      "list_offers: outputSchema differs from the contract's at additionalProperties (listed {}, the contract's false)",
      "get_price_history: missing (the profile offers it)",
      "get_health: inputSchema differs from the contract's at additionalProperties (listed {}, the contract's false)",
      "terminate: annotation destructiveHint is false, the contract says true",
    ]);
  });

  it("names a changing tool left in read-only mode, and the read tool that is missing", async () => {
    expect(await checkReadOnlyMode(incompleteCloud)).toEqual([
      "read-only mode: get_price_history is missing, though it only reads",
      "read-only mode: terminate is listed, though it changes the world",
    ]);
  });

  it("names the tool that takes arguments it does not know", async () => {
    expect(await checkMalformedArguments(incompleteCloud)).toEqual(["get_health: an unknown argument is not refused with a protocol error -32602 (a success)"]);
  });

  it("names the wrong code, a code the tool may not answer, the refusals without a typed code, and a refusal that changed the world", async () => {
    expect(await checkRefusals(incompleteCloud)).toEqual([
      "list_offers: refused with code not-found, expected invalid-target",
      "list_offers: answered code not-found, which its definition does not list",
      'get_price_history: its error result carries no typed error (_meta["skyops/error"] is missing)',
      'get_egress_price: its error result carries no typed error (_meta["skyops/error"] is missing)',
      "terminate: a refused call changed the world (list_instances answers differently)",
    ]);
  });

  it("names the answer that breaks its output schema, at the field, and the tool that does not answer", async () => {
    expect(await checkAnswers(incompleteCloud)).toEqual([
      "list_offers: structuredContent breaks its output schema: offers.0.spotUsdPerHourNow: Too small: expected number to be >=0",
      'get_price_history: a call that should succeed answered an error result: "MCP error -32602: Tool get_price_history not found"',
    ]);
  });

  it("names a launch that ignores its idempotencyKey", async () => {
    expect(await checkIdempotency(incompleteCloud)).toEqual([
      "launch: the same idempotencyKey twice answered differently",
      "launch: the same idempotencyKey twice had two effects (list_instances answers differently after the repeat)",
      "launch: the same idempotencyKey with other arguments answered a success, not idempotency-mismatch",
      "launch: the same idempotencyKey with other arguments changed the world (list_instances answers differently)",
    ]);
  });

  it("names a listing without a revision, and a delta that forgets what ended", async () => {
    expect(await checkIncrementalListing(incompleteCloud)).toEqual([
      "list_offers: structuredContent breaks its output schema: offers.0.spotUsdPerHourNow: Too small: expected number to be >=0",
      "get_health: a full listing carries no revision",
      'list_instances: deltas applied to the full answer differ from a full listing: instances still holds 1 gone ("i-0001"…)',
    ]);
  });
});
