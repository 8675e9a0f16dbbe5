/**
 * The V8 flags the daemon is launched with: by the `skyops` command (its `#!` line), by `npm start` and by
 * the container's entrypoint.
 * They can only be given when node starts, not set by the running process; a test keeps the launchers in
 * step with this list, and the loop benchmark runs the daemon with it (`--plain-node` without).
 *
 * `--max-semi-space-size=4`: V8's young generation holds two semi-spaces of up to 16 MB each by default,
 * all of it resident once a tick has allocated through it. The daemon's ticks allocate much that lives
 * for the whole tick (snapshots, findings), so a smaller young generation promotes a little more and
 * collects a little more often; measured at 10,000 workloads it holds ~20 MB less at peak with no tick
 * latency change the machine's noise could show (evals/RESULTS.md, "Control loop").
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4"];
