import { z } from "zod";

/*
 * Output pieces shared by the tools. Lists are wrapped in objects (structuredContent must be an object) with
 * `atMs`, the time of the answer. Records come from src/domain.
 */

/** The time of the answer, ms since epoch (the server's clock: simulated time for the simulator). */
export const AnswerAtMsSchema = z.number().int().describe("Time of this answer, ms since epoch");
