import pino, { type Logger } from "pino";

/**
 * pino JSON logs with stable event names (`event` field) and child loggers bound to
 * {component, workload, proposal}. Anything that looks like a secret is redacted.
 */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { app: "skyops" },
      redact: {
        paths: ["*.apiKey", "*.api_key", "*.token", "*.password", "*.secret", "*.authorization", "env", "*.env", "headers.authorization", "*.OPENAI_API_KEY"],
        censor: "[redacted]",
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
export type { Logger };
