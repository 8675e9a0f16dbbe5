import type { ActionType } from "../../domain/index.js";
import type { AnySaga } from "../saga.js";
import { FAILOVER } from "./failover.js";
import { MIGRATE } from "./migrate.js";
import { PLACE } from "./place.js";
import { ROLLBACK } from "./rollback.js";
import { SCALE } from "./scale.js";
import { TERMINATE } from "./terminate.js";

/** The saga of each action type. */
export const SAGAS: Readonly<Record<ActionType, AnySaga>> = {
  place: PLACE,
  scale: SCALE,
  failover: FAILOVER,
  migrate: MIGRATE,
  rollback: ROLLBACK,
  terminate: TERMINATE,
};

export { FAILOVER, MIGRATE, PLACE, ROLLBACK, SCALE, TERMINATE };
