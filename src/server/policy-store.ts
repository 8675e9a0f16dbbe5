import { watch, type FSWatcher } from "node:fs";
import type { Offer } from "../domain/index.js";
import type { GuardrailsInput, PolicyEngine } from "../policy/index.js";
import { loadPolicyEngine } from "./policy-files.js";

export interface PolicyReload {
  ok: boolean;
  digest: string;
  /** Why the new set was refused (the old one stays in force). */
  error?: string;
}

/**
 * Holds the policy engine in force. `reload()` builds a whole new engine from the folder and swaps the
 * reference only if it loads: an invalid edit never leaves skyops without policies, nor half-updated.
 * `watch()` reloads on file changes (debounced); the daemon also calls `reload()` on SIGHUP.
 */
export class PolicyStore {
  private engine: PolicyEngine;
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly dir: string,
    private readonly options: { catalog?: readonly Offer[]; warmup?: number; guardrails?: Partial<GuardrailsInput>; onReload?: (r: PolicyReload) => void } = {},
  ) {
    // fail closed at start: an invalid set throws and nothing starts
    this.engine = loadPolicyEngine(dir, options);
  }

  get current(): PolicyEngine {
    return this.engine;
  }

  reload(): PolicyReload {
    let result: PolicyReload;
    try {
      const next = loadPolicyEngine(this.dir, this.options);
      this.engine = next;
      result = { ok: true, digest: next.digest };
    } catch (error) {
      result = { ok: false, digest: this.engine.digest, error: (error as Error).message };
    }
    this.options.onReload?.(result);
    return result;
  }

  watch(debounceMs = 200): void {
    if (this.watcher) return;
    this.watcher = watch(this.dir, () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.reload(), debounceMs);
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearTimeout(this.timer);
  }
}
