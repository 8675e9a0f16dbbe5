import type { LAUNCH } from "../../src/domain/index.js";
import type { Handler } from "../kit/index.js";
import type { SimContext } from "./context.js";
import { count, iso, usdPerHour } from "./result.js";

export function launchHandler(ctx: SimContext): Handler<typeof LAUNCH> {
  return (args) => {
    const { world } = ctx;
    const instances = ctx.ops.launch(args);
    const rate = instances.reduce((a, i) => a + i.usdPerHour, 0);
    const first = instances[0]!;
    const lines = [
      `Launched ${count(instances.length, "instance")} of ${first.instanceType} ${first.spot ? "spot" : "on-demand"} in ${first.cloud}/${first.region}${first.zone ? ` (${first.zone})` : ""}` +
        `${first.workloadId ? ` for ${first.workloadId}` : ""}: ${instances.map((i) => i.id).join(", ")}.`,
      `Ready at ${first.readyAtMs === null ? "unknown" : iso(first.readyAtMs)}; ${usdPerHour(rate)} in all.`,
    ];
    return { value: { atMs: world.nowMs, usdPerHour: rate, instances }, text: lines.join("\n") };
  };
}
