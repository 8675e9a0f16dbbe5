import { z } from "zod";
import type { QuickCheck } from "./tool.js";

/*
 * Incremental listing (optional for a tool server; skyops' observe uses it where a server offers it).
 * The listing tools (those whose definition has a `listing`: list_offers, list_workloads, list_instances,
 * get_health, get_drift), called without filters, may return a `revision`: a token naming that answer. Called
 * again (same tool, same MCP session) with `sinceRevision` set to the revision of the previous answer, the
 * server may answer with only what changed since then: `delta` is set, the answer's keyed lists hold only the
 * records that are new or changed in any field other than the accruing ones, `delta.removed` names (by key) the
 * records no longer listed — a list of keys for a tool with one keyed list, an object of such lists by list
 * name for a tool with several (get_health) —, and `delta.accrued` gives the new values of the accruing fields
 * (cost so far; a training job's progress) of records that changed in those fields only, as parallel lists
 * under `ids` and each field's name. Every other record is as the previous answer gave it; a list the listing
 * names `whole` comes in full in every answer. Keys, accruing fields and order are in each tool's `listing`.
 * A revision the server does not know (another session, a restart, an answer that was not the last) gets a
 * full answer, without `delta`. Without `sinceRevision` every answer is a full listing.
 */

export const RevisionSchema = z.string().min(1).max(128).describe("Token naming an answer, to pass as sinceRevision to get only what changed since");

/** What a delta answer says besides its (changed) records. */
export const deltaOf = <A extends z.ZodRawShape>(removed: z.ZodType, accrued: A) =>
  z.object({
    /** The revision this answer is a delta against (the caller's `sinceRevision`). */
    sinceRevision: RevisionSchema,
    removed,
    ...accrued,
  });

export const removedKeys = z.array(z.string()).describe("Keys of records the previous answer listed and this one no longer does");

/** Quick checks of accruing values (see `QuickCheck`). */
export const QUICK = {
  /** A finite number ≥ 0 (cost so far, USD). */
  nonNegative: (v: unknown): boolean => typeof v === "number" && Number.isFinite(v) && v >= 0,
  /** null, or a finite number ≥ 0 (a training job's progress; null for serving workloads). */
  nonNegativeOrNull: (v: unknown): boolean => v === null || (typeof v === "number" && Number.isFinite(v) && v >= 0),
} as const satisfies Record<string, QuickCheck>;
