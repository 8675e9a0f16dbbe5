import { z } from "zod";
import { WorkloadStatusSchema } from "../workload.js";
import { AnswerAtMsSchema } from "./outputs.js";

/** What the tools that change a serving workload answer: its status afterwards. */
export const WorkloadOutputSchema = z.object({ atMs: AnswerAtMsSchema, workload: WorkloadStatusSchema });
