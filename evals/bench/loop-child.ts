import { fleetRun } from "./loop.js";

/** One fleet size in a process of its own, so peak RSS is that fleet's alone. Prints one JSON line. */
const [n, ticks] = process.argv.slice(2, 4).map(Number);
const profile = process.argv[4] === "stress" ? "stress" : "realistic";
const idle = process.argv[5] !== "no-idle";
const maxNew = process.argv[6] === undefined || process.argv[6] === "" ? undefined : Number(process.argv[6]);
process.stdout.write(`${JSON.stringify(await fleetRun(n!, ticks!, profile, undefined, idle, maxNew))}\n`);
