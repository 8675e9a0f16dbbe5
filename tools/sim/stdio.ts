import type { Readable, Writable } from "node:stream";
import { serveStdio, type StdioHost } from "../kit/index.js";
import type { SimHost } from "./host.js";
import { createSimServer } from "./server.js";

export type SimStdioServer = StdioHost;

/** Serves the sim tools over stdio (tools/kit/stdio.ts); stops the host's clock when the client goes away. */
export function serveSimStdio(sim: SimHost, io: { stdin?: Readable; stdout?: Writable } = {}): Promise<SimStdioServer> {
  return serveStdio(createSimServer(sim.context()), io, () => sim.close());
}
