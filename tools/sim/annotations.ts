import type { ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";

/**
 * The one hand-kept table of the sim tool server's tools and their MCP annotation hints. Every tool
 * registers with its row, and read-only sets (for an observe-only client, or `--read-only`) are derived
 * from `readOnlyHint` here, never kept as a second list (STYLE.md, "MCP servers").
 *
 * Hints are advice to clients (the spec tells them not to trust hints); skyops' policy engine makes the
 * real decision. All four are set on every tool so no client falls back to the spec's defaults
 * (`destructiveHint` defaults to true, `idempotentHint` to false).
 *
 * - readOnlyHint: reads only; never moves the simulated clock or changes the world.
 * - destructiveHint: may stop, replace or discard something that exists (instances, replicas, the model
 *   that serves, training progress). Launching, checkpointing and re-weighting traffic are not.
 * - idempotentHint: a repeat has no further effect. Changing tools take an `idempotencyKey`: the same key
 *   with the same arguments returns the first result and changes nothing.
 * - openWorldHint: every tool reaches a (simulated) cloud, whose state others change too.
 */
const read = (title: string) =>
  ({ title, readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true }) as const;
const change = (title: string, destructive: boolean) =>
  ({ title, readOnlyHint: false, destructiveHint: destructive, idempotentHint: true, openWorldHint: true }) as const;

export const SIM_TOOL_ANNOTATIONS = {
  list_offers: read("List instance offers with prices now"),
  get_price_history: read("Price history of one offer"),
  list_instances: read("List instances"),
  get_health: read("Health of regions, replicas and services"),
  get_egress_price: read("Egress price between two regions"),
  list_workloads: read("List workloads"),
  get_drift: read("Model drift of serving workloads"),
  launch: change("Launch instances", false),
  terminate: change("Terminate instances", true),
  scale: change("Scale a serving deployment", true),
  set_traffic_weights: change("Set traffic weights", false),
  set_model_version: change("Roll a serving workload to a model version", true),
  request_checkpoint: change("Checkpoint a training job", false),
  resume_from_checkpoint: change("Resume a training job from a checkpoint", true),
} as const satisfies Record<string, Required<Pick<ToolAnnotations, "title" | "readOnlyHint" | "destructiveHint" | "idempotentHint" | "openWorldHint">>>;

export type SimToolName = keyof typeof SIM_TOOL_ANNOTATIONS;

/** Every tool of the sim server, in registration order. */
export const SIM_TOOLS = Object.keys(SIM_TOOL_ANNOTATIONS) as SimToolName[];

/** Whether a tool, as a server lists it, declares itself read-only. Missing hints count as changing (fail closed). */
export function isReadOnlyTool(tool: { annotations?: { readOnlyHint?: boolean | undefined } | undefined }): boolean {
  return tool.annotations?.readOnlyHint === true;
}

/** The sim server's read-only tools, derived from the annotations. */
export const READ_ONLY_TOOLS: readonly SimToolName[] = SIM_TOOLS.filter((name) => isReadOnlyTool({ annotations: SIM_TOOL_ANNOTATIONS[name] }));

/** The sim server's changing tools (they all take an `idempotencyKey`), derived from the annotations. */
export const CHANGING_TOOLS: readonly SimToolName[] = SIM_TOOLS.filter((name) => !READ_ONLY_TOOLS.includes(name));
