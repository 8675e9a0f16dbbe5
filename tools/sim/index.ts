export { SIM_TOOL_ANNOTATIONS, SIM_TOOLS, READ_ONLY_TOOLS, CHANGING_TOOLS, isReadOnlyTool, type SimToolName } from "./annotations.js";
export type { SimContext } from "./context.js";
export { createSimServer, SIM_SERVER_NAME, SIM_SERVER_VERSION } from "./server.js";
export { SimHost, MAX_SPEED, type SimHostOptions } from "./host.js";
export { inMemorySimTransport } from "./in-memory.js";
export { serveSimStdio, type SimStdioServer } from "./stdio.js";
export { startSimHttpServer, MCP_PATH, type SimHttpOptions, type SimHttpServer } from "./http.js";
export * from "./schemas.js";
