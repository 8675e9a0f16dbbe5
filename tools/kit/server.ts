import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ERROR_META_KEY, ToolError, type AnyContractTool, type ParsedToolArgs, type ToolOutput } from "../../src/domain/index.js";

/*
 * The tool-server kit: a server is the contract's tools (src/domain/contract) plus one handler each. The kit
 * registers every tool from its definition — name, title, description, input and output schemas, the four
 * hints — so a server cannot drift from the contract, derives read-only mode from the hints, and turns a
 * typed refusal (ToolError) into the contract's error result. Hosts (stdio.ts, http.ts) are separate.
 */

/** What a handler answers: the structuredContent, typed by the tool's output schema, and a short text for people and models. */
export interface Reply<T extends AnyContractTool> {
  value: ToolOutput<T>;
  text: string;
}

/** One tool's handler: gets the arguments as the input schema parsed them; throws ToolError to refuse. */
export type Handler<T extends AnyContractTool> = (args: ParsedToolArgs<T>) => Reply<T> | Promise<Reply<T>>;

/** A handler for every tool of `tools`, by name. */
export type Handlers<Tools extends readonly AnyContractTool[]> = { [T in Tools[number] as T["name"]]: Handler<T> };

export interface ServerInfo {
  name: string;
  version: string;
  /** What a client (or a model) should know of this server: its own facts that the contract's descriptions leave out. */
  instructions?: string | undefined;
}

export interface ToolServerOptions {
  /** Register only the tools whose `readOnlyHint` is true. */
  readOnly?: boolean | undefined;
  /**
   * Turns an error of the server's own world (a cloud SDK's, the simulator's) into a ToolError, or says it is
   * not one (undefined): that error then propagates, as a bug (the SDK reports it without a code).
   */
  toToolError?: ((error: unknown) => ToolError | undefined) | undefined;
}

/** The error result of a refusal: its text as content, the typed error in `_meta` (src/domain/contract/errors.ts). */
export function errorResult(error: ToolError): CallToolResult {
  return { isError: true, content: [{ type: "text", text: error.text() }], _meta: { [ERROR_META_KEY]: error.payload() } };
}

/**
 * An MCP server offering `tools`, each answered by its handler. Make one per client session (state such as
 * incremental-listing chains belongs to the handlers made for that session).
 */
export function createToolServer<const Tools extends readonly AnyContractTool[]>(
  info: ServerInfo,
  tools: Tools,
  handlers: Handlers<Tools>,
  options: ToolServerOptions = {},
): McpServer {
  const server = new McpServer({ name: info.name, version: info.version }, info.instructions !== undefined ? { instructions: info.instructions } : {});
  const byName = handlers as unknown as Record<string, Handler<AnyContractTool> | undefined>;
  for (const tool of tools) {
    if (options.readOnly === true && !tool.annotations.readOnlyHint) continue;
    const handler = byName[tool.name];
    if (handler === undefined) throw new Error(`${info.name}: no handler for ${tool.name}`);
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        outputSchema: tool.outputSchema,
        annotations: { title: tool.title, ...tool.annotations },
      },
      (async (args: ParsedToolArgs<AnyContractTool>): Promise<CallToolResult> => {
        try {
          const { value, text } = await handler(args);
          return { content: [{ type: "text", text }], structuredContent: value };
        } catch (error) {
          const refusal = error instanceof ToolError ? error : options.toToolError?.(error);
          if (refusal !== undefined) return errorResult(refusal);
          throw error;
        }
      }) as never,
    );
  }
  return server;
}
