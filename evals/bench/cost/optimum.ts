import { OFF, type Job } from "./model.js";
import type { World } from "./world.js";

/**
 * The hindsight optimum: the least a job can pay under model.ts's cost model when the whole trace is
 * known in advance, allowed everything any strategy is allowed (any zone of the world, any region's on
 * demand, waiting, moving the checkpoint between regions).
 *
 * Exact dynamic programming, forward in time. The state at the start of a step is the progress and what
 * ran in the last step: a placement in its warm-up (age 1 … restart), a placement past its warm-up with
 * c steps of progress since the last checkpoint (0 … checkpointEvery − 1), or "off" with the checkpoint
 * in region g. The cost of a step and the next state depend only on that state, the action and the step
 * (a preempted spot state falls back c steps and joins the states that may start anew this step), so the
 * least cost of each state is the least over its predecessors, and the least cost of finishing by step t
 * is the optimum for deadline t. One forward pass answers every deadline up to the horizon; the job's
 * own zone does not enter it (the first start has no checkpoint to move), so all homes and slacks of one
 * start share a pass.
 *
 * States are dropped only where they cannot finish within the horizon (progress < work − steps left), so
 * the result is exact. With `path`, every state's predecessor is kept and the optimal actions for a
 * deadline can be read back (tests replay them through the model and get the same cost).
 */
export interface Optimum {
  /** `byDeadline[d]`: least cost to finish within d steps (Infinity if impossible), d = 0 … horizon. */
  byDeadline: Float64Array;
  /** The optimal actions (one per step) for deadline d, when built with `path`. */
  actions?: (deadline: number) => number[];
}

export function optimum(world: World, job: Omit<Job, "deadline" | "home">, horizon: number, options: { path?: boolean } = {}): Optimum {
  const R = world.regions.length;
  const Z = world.zones.length;
  const P = R + Z;
  const r = job.restart;
  const K = job.checkpointEvery;
  const Kc = Math.max(1, K);
  const Q = r + Kc; // states per placement: warm-up ages 1 … r, then running with c = 0 … Kc − 1
  const S = P * Q + R;
  const OFF0 = P * Q;
  const W = job.work;
  const dt = world.stepHours;
  const regionOfP = new Int32Array(P);
  for (let x = 0; x < P; x++) regionOfP[x] = x < R ? x : world.zones[x - R]!.region;
  const eg = world.egressUsd;
  // c after one more step of progress from c (a checkpoint resets it)
  const nextC = (c: number) => (K === 0 || c + 1 >= K ? 0 : c + 1);

  const lo = (t: number) => Math.max(0, W - (horizon - t));
  const hi = (t: number) => Math.min(t, W - 1);

  let cur = new Float64Array(W * S).fill(Infinity);
  let next = new Float64Array(W * S).fill(Infinity);
  for (let g = 0; g < R; g++) cur[OFF0 + g] = 0;
  const bestAt = new Float64Array(horizon).fill(Infinity);
  const stepCost = new Float64Array(P);
  const spotOk = new Uint8Array(P);
  // preempted states, fallen back to their checkpoint: by progress row and region
  const pool = new Float64Array(W * R);
  const poolArg = new Int32Array(W * R);
  const Mg = new Float64Array(R);
  const MgArg = new Int32Array(R);
  const base = new Float64Array(R);
  const baseArg = new Int32Array(R);

  const track = options.path === true;
  const layerOffset: number[] = [];
  let parent: Int32Array | null = null;
  const finishFrom = new Int32Array(horizon).fill(-1);
  const finishAction = new Int32Array(horizon).fill(-1);
  if (track) {
    let total = 0;
    for (let t = 1; t <= horizon; t++) {
      layerOffset[t] = total;
      total += Math.max(0, hi(t) - lo(t) + 1) * S;
    }
    parent = new Int32Array(total);
  }

  for (let t = 0; t < horizon; t++) {
    const at = job.start + t;
    for (let x = 0; x < P; x++) {
      if (x < R) {
        stepCost[x] = world.regions[x]!.onDemandUsdPerHour * dt;
        spotOk[x] = 1;
      } else {
        const zone = world.zones[x - R]!;
        spotOk[x] = at < world.steps && zone.avail[at] === 1 ? 1 : 0;
        stepCost[x] = zone.spotUsdPerHour[Math.min(at, world.steps - 1)]! * dt;
      }
    }
    const pLo = lo(t);
    const pHi = hi(t);
    const nLo = lo(t + 1);
    const nHi = hi(t + 1);
    next.fill(Infinity, nLo * S, (nHi + 1) * S);
    const relax = (p2: number, s2: number, c: number, from: number, action: number) => {
      if (p2 === W) {
        if (c < bestAt[t]!) {
          bestAt[t] = c;
          finishFrom[t] = from;
          finishAction[t] = action;
        }
      } else if (p2 >= nLo) {
        const ni = p2 * S + s2;
        if (c < next[ni]!) {
          next[ni] = c;
          if (track) parent![layerOffset[t + 1]! + (p2 - nLo) * S + s2] = from;
        }
      }
    };

    // preemptions at the start of this step
    pool.fill(Infinity, pLo * R, (pHi + 1) * R);
    for (let p = pLo; p <= pHi; p++) {
      for (let x = R; x < P; x++) {
        if (spotOk[x] === 1) continue;
        const g = regionOfP[x]!;
        for (let q = 0; q < Q; q++) {
          const v = cur[p * S + x * Q + q]!;
          if (v === Infinity) continue;
          const back = q < r ? p : p - (q - r);
          if (back < pLo) continue;
          const pi = back * R + g;
          if (v < pool[pi]!) {
            pool[pi] = v;
            poolArg[pi] = p * S + x * Q + q;
          }
        }
      }
    }

    for (let p = pLo; p <= pHi; p++) {
      const row = p * S;
      for (let g = 0; g < R; g++) {
        const off = cur[row + OFF0 + g]!;
        const pre = pool[p * R + g]!;
        if (pre < off) {
          Mg[g] = pre;
          MgArg[g] = poolArg[p * R + g]!;
        } else {
          Mg[g] = off;
          MgArg[g] = row + OFF0 + g;
        }
      }
      for (let x = 0; x < P; x++) {
        if (spotOk[x] === 0) continue;
        const g = regionOfP[x]!;
        const c0 = stepCost[x]!;
        for (let q = 0; q < Q; q++) {
          const si = x * Q + q;
          const v = cur[row + si]!;
          if (v === Infinity) continue;
          if (v < Mg[g]!) {
            Mg[g] = v;
            MgArg[g] = row + si;
          }
          // continue on x: one more warm-up step, or one more step of progress
          if (q + 1 < r) relax(p, x * Q + q + 1, v + c0, row + si, x);
          else if (q < r) relax(p + 1, x * Q + r + nextC(0), v + c0, row + si, x);
          else relax(p + 1, x * Q + r + nextC(q - r), v + c0, row + si, x);
        }
      }
      // wait: the checkpoint stays where it is
      if (p >= nLo) {
        for (let g = 0; g < R; g++) if (Mg[g]! < Infinity) relax(p, OFF0 + g, Mg[g]!, MgArg[g]!, OFF);
      }
      // start anew: the cheapest state of any region, plus moving the checkpoint (once there is progress)
      for (let h = 0; h < R; h++) {
        let best = Infinity;
        let arg = -1;
        for (let g = 0; g < R; g++) {
          const v = Mg[g]! + (p > 0 ? eg[g]![h]! : 0);
          if (v < best) {
            best = v;
            arg = MgArg[g]!;
          }
        }
        base[h] = best;
        baseArg[h] = arg;
      }
      for (let y = 0; y < P; y++) {
        if (spotOk[y] === 0) continue;
        const h = regionOfP[y]!;
        const b = base[h]!;
        if (b === Infinity) continue;
        if (r > 0) relax(p, y * Q, b + stepCost[y]!, baseArg[h]!, y);
        else relax(p + 1, y * Q + nextC(0), b + stepCost[y]!, baseArg[h]!, y);
      }
    }
    const swap = cur;
    cur = next;
    next = swap;
  }

  const byDeadline = new Float64Array(horizon + 1).fill(Infinity);
  for (let d = 1; d <= horizon; d++) byDeadline[d] = Math.min(byDeadline[d - 1]!, bestAt[d - 1]!);

  const result: Optimum = { byDeadline };
  if (track) {
    result.actions = (deadline: number) => {
      let tEnd = -1;
      for (let t = 0; t < Math.min(deadline, horizon); t++) if (bestAt[t]! < Infinity && (tEnd < 0 || bestAt[t]! < bestAt[tEnd]!)) tEnd = t;
      if (tEnd < 0) return [];
      const actions = new Array<number>(tEnd + 1);
      actions[tEnd] = finishAction[tEnd]!;
      let from = finishFrom[tEnd]!;
      for (let t = tEnd - 1; t >= 0; t--) {
        const row = Math.floor(from / S);
        const s = from - row * S;
        actions[t] = s >= OFF0 ? OFF : Math.floor(s / Q);
        from = parent![layerOffset[t + 1]! + (row - lo(t + 1)) * S + s]!;
      }
      return actions;
    };
  }
  return result;
}
