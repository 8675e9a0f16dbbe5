export type { SimContext } from "./context.js";
export { createSimServer, simHandlers, SIM_SERVER_NAME, SIM_SERVER_VERSION, SIM_TOOLS, READ_ONLY_TOOLS } from "./server.js";
export { SIM_ERROR_CODES, simToolError } from "./errors.js";
export { SimHost, MAX_SPEED, type SimHostOptions } from "./host.js";
export { defaultWorldHost, type DefaultWorldOptions } from "./default-world.js";
export { inMemorySimTransport } from "./in-memory.js";
export { serveSimStdio, type SimStdioServer } from "./stdio.js";
export { startSimHttpServer, type SimHttpOptions, type SimHttpServer } from "./http.js";
export { MCP_PATH } from "../kit/index.js";
