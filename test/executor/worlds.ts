import type { WorldSpecInput } from "../../src/domain/index.js";
import type { SimHost } from "../../tools/sim/index.js";
import { H, proposal, simHost } from "./helpers.js";

type TrainingInput = Extract<WorldSpecInput["workloads"][number], { kind: "training" }>;

/** A training job on on-demand A100s in aws/us-east-1, two hours in. */
export const TRAIN: TrainingInput = {
  id: "llm-finetune",
  kind: "training",
  gpu: "A100:8",
  at: { cloud: "aws", region: "us-east-1", spot: false },
  workHours: 40,
  checkpointEvery: "30m",
  checkpointGb: 120,
};

/** The same job on spot, reclaimed after an hour (notice, then two minutes later the node is gone). */
export const STALLED: TrainingInput = { ...TRAIN, id: "stalled-train", at: { cloud: "aws", region: "us-east-1", spot: true } };

/** A serving workload in two clouds. */
export const CHAT: WorldSpecInput["workloads"][number] = {
  id: "chat-api",
  kind: "inference",
  gpu: "L4:1",
  replicas: { "aws/us-east-1": 2, "gcp/us-central1": 2 },
  rps: 300,
  replicaRps: 100,
  sloP99Ms: 800,
};

const CLOUDS: WorldSpecInput["clouds"] = ["aws", "gcp"];

export function trainingWorld(events: WorldSpecInput["events"] = []): SimHost {
  const host = simHost({ clouds: CLOUDS, workloads: [TRAIN], events });
  host.advanceBy(2 * H);
  return host;
}

export function stalledWorld(): SimHost {
  const host = simHost({ clouds: CLOUDS, workloads: [STALLED], events: [{ at: "1h", preempt: { workload: "stalled-train" } }] });
  host.advanceBy(2 * H);
  return host;
}

/** chat-api with aws/us-east-1 down from 1h for a day. */
export function outageWorld(): SimHost {
  const host = simHost({ clouds: CLOUDS, workloads: [CHAT], events: [{ at: "1h", outage: { cloud: "aws", region: "us-east-1", for: "24h" } }] });
  host.advanceBy(2 * H);
  return host;
}

export function servingWorld(events: WorldSpecInput["events"] = []): SimHost {
  const host = simHost({ clouds: CLOUDS, workloads: [CHAT], events });
  host.advanceBy(H);
  return host;
}

export const migrateProposal = (id = "p-migrate") =>
  proposal("migrate", {
    id,
    workloadId: "llm-finetune",
    source: { cloud: "aws", region: "us-east-1", spot: false },
    target: { cloud: "gcp", region: "us-central1", spot: false },
    checkpointGb: 120,
  });

export const placeProposal = (id = "p-place") =>
  proposal("place", { id, workloadId: "stalled-train", target: { cloud: "gcp", region: "us-central1", spot: false }, count: 1 });

export const failoverProposal = (id = "p-failover") =>
  proposal("failover", {
    id,
    workloadId: "chat-api",
    source: { cloud: "aws", region: "us-east-1", spot: false },
    target: { cloud: "gcp", region: "us-central1", spot: false },
    weights: { "aws/us-east-1": 0, "gcp/us-central1": 100 },
  });

export const scaleProposal = (id = "p-scale", toReplicas = 3) =>
  proposal("scale", { id, workloadId: "chat-api", target: { cloud: "gcp", region: "us-central1", spot: false }, fromReplicas: 2, toReplicas });
