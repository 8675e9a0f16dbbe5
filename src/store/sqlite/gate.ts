import { UnitOfWorkEndedError } from "../errors.js";

/**
 * Keeps other flows out of an open SQLite transaction. better-sqlite3 is synchronous, but a unit of work
 * awaits between its statements, and on one connection anything another flow (an HTTP approval, the
 * LangGraph checkpointer) ran in that gap would land inside the transaction — and be rolled back with
 * it. A unit of work holds its gate from BEGIN to COMMIT or ROLLBACK; every call through the gate while
 * it is held waits, in arrival order, and runs once it is given back. While nobody holds it, a call runs
 * at once (a resolved promise: no queue, no extra turn of the event loop on the tick's hot path).
 */
export class Gate {
  private held = false;
  private ended = false;
  private readonly waiting: (() => void)[] = [];

  /** Runs `fn` now when the gate is free, else once every holder and caller before it is done. */
  run<T>(fn: () => T): Promise<Awaited<T>> {
    if (this.ended) return Promise.reject(new UnitOfWorkEndedError());
    if (!this.held) return settle(fn);
    return new Promise<Awaited<T>>((resolve, reject) => {
      this.waiting.push(() => {
        if (this.ended) reject(new UnitOfWorkEndedError());
        else settle(fn).then(resolve, reject);
      });
    });
  }

  /** Takes the gate, once every holder and caller before this one is done; call the answer to give it back. */
  acquire(): Promise<() => void> {
    if (this.ended) return Promise.reject(new UnitOfWorkEndedError());
    if (!this.held) {
      this.held = true;
      return Promise.resolve(this.releaser());
    }
    return new Promise<() => void>((resolve, reject) => {
      this.waiting.push(() => {
        if (this.ended) return reject(new UnitOfWorkEndedError());
        this.held = true;
        resolve(this.releaser());
      });
    });
  }

  /** Refuses every later call (`UnitOfWorkEndedError`), and those still waiting. */
  end(): void {
    this.ended = true;
    this.drain();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held = false;
      this.drain();
    };
  }

  /** Runs the waiting calls in order until one of them takes the gate. */
  private drain(): void {
    while (!this.held && this.waiting.length > 0) this.waiting.shift()!();
  }
}

/** `fn()` as a promise: its value, or its throw as a rejection. */
function settle<T>(fn: () => T): Promise<Awaited<T>> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

/** A synchronous implementation of an async port `P`: the same methods, answering at once. */
export type SyncOf<P> = { [K in keyof P]: P[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : P[K] };

/**
 * The async port `P` over a synchronous SQLite repository: each of its methods waits at `gate`, then runs.
 * The methods are those of `impl`'s class (not of its parents); `SyncOf<P>` checks they are the port's.
 */
export function gated<P>(impl: SyncOf<P>, gate: Gate): P {
  const port: Record<string, unknown> = {};
  const prototype = Object.getPrototypeOf(impl) as object;
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const method = Object.getOwnPropertyDescriptor(prototype, name)?.value as unknown;
    if (name === "constructor" || typeof method !== "function") continue;
    port[name] = (...args: unknown[]) => gate.run(() => (method as (...a: unknown[]) => unknown).apply(impl, args));
  }
  return port as P;
}
