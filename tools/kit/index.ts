export { createToolServer, errorResult, type Handler, type Handlers, type Reply, type ServerInfo, type ToolServerOptions } from "./server.js";
export { serveStdio, type StdioHost } from "./stdio.js";
export { startHttpHost, isLoopback, originOf, MCP_PATH, DEFAULT_HTTP_HOST, type HttpHost, type HttpHostOptions } from "./http.js";
