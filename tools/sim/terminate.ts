import type { TERMINATE } from "../../src/domain/index.js";
import type { Handler } from "../kit/index.js";
import type { SimContext } from "./context.js";
import { count } from "./result.js";

export function terminateHandler(ctx: SimContext): Handler<typeof TERMINATE> {
  return (args) => {
    const { world } = ctx;
    const instances = ctx.ops.terminate(args);
    const text = `${count(instances.length, "instance")} ended: ${instances.map((i) => `${i.id} (${i.state})`).join(", ")}.`;
    return { value: { atMs: world.nowMs, instances }, text };
  };
}
