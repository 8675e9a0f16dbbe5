export { detect, type DetectResult } from "./detect.js";
export { DetectorConfigSchema, DEFAULT_DETECTOR_CONFIG, describeDetectorConfig, type DetectorConfig, type DetectorConfigInput } from "./config.js";
export { DetectorStateSchema, initialDetectorState, restoreDetectorState, type DetectorState } from "./state.js";
export { bestAlternative, CandidateCache, type BreakEven, type CurrentPlacement } from "./break-even.js";
export { compareFindings } from "./incidents.js";
