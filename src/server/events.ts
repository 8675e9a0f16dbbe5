import type { DaemonEvent, EventSink } from "../domain/index.js";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics.js";

/**
 * The daemon's event bus: what the loop, the graph, the executor, the approvals service and the policy
 * store publish (`DaemonEvent`), delivered in order to every subscriber — the log, the metrics, and the
 * channels to come. A subscriber that throws is logged and skipped: it never stops the publisher.
 */
export class EventBus {
  private readonly subscribers: ((event: DaemonEvent) => void)[] = [];

  constructor(private readonly log?: Logger) {}

  /** The sink publishers hold. */
  readonly publish: EventSink = (event) => {
    for (const subscriber of this.subscribers) {
      try {
        subscriber(event);
      } catch (error) {
        this.log?.error({ event: "events.subscriber-failed", type: event.type, error: error instanceof Error ? error.message : String(error) });
      }
    }
  };

  /** Adds a subscriber; returns a function that removes it. */
  subscribe(subscriber: (event: DaemonEvent) => void): () => void {
    this.subscribers.push(subscriber);
    return () => {
      const i = this.subscribers.indexOf(subscriber);
      if (i >= 0) this.subscribers.splice(i, 1);
    };
  }
}

/** Log levels by event: what an operator should see at info, and what says something went wrong. */
const LEVEL: Partial<Record<DaemonEvent["type"], "warn" | "debug">> = {
  "policies.reload-refused": "warn",
  "approval.refused": "warn",
  "execution.refused": "warn",
  "execution.step": "debug",
};

/** One JSON log line per event: `event` is its type, the rest its fields (pino; nothing secret is in an event). */
export function logEvents(log: Logger): (event: DaemonEvent) => void {
  return (event) => {
    const { type, ...fields } = event;
    const level = LEVEL[type] ?? (type === "execution.finished" && event.result !== "succeeded" ? "warn" : "info");
    log[level]({ event: type, ...fields });
  };
}

/** The Prometheus metrics each event moves. */
export function countEvents(metrics: Metrics): (event: DaemonEvent) => void {
  return (event) => {
    switch (event.type) {
      case "finding.raised":
        metrics.findings.inc({ kind: event.kind });
        break;
      case "proposal.made":
        metrics.proposals.inc({ type: event.action, proposer: event.proposer.startsWith("user:") ? "user" : event.proposer });
        break;
      case "proposals.deferred":
        metrics.proposalsDeferred.inc(event.count);
        break;
      case "proposal.decided":
        metrics.decisions.inc({ outcome: event.outcome });
        break;
      case "execution.finished":
        metrics.executions.inc({ result: event.result });
        break;
      default:
        break;
    }
  };
}
