import { randomUUID } from "node:crypto";

/*
 * Incremental listing (src/domain/contract/listing.ts), per MCP session and tool: the revision
 * of the last unfiltered answer and the world's listing mark behind it. The world's listings work out what
 * changed since a mark (world-listings.ts, one per world); a session honours only the revision of its
 * latest answer of that tool: an older one (an answer that was lost, or another session's, or another
 * process's) gets a full listing, and so does a revision the world can no longer answer.
 */

/** Tokens of this process: a restarted server never honours a revision of the one before. */
const PROCESS = randomUUID().slice(0, 8);
let sessions = 0;

/** One tool's chain of answers in one session. */
export class ListingChain {
  private seq = 0;
  private revision: string | null = null;
  private mark: number | null = null;

  constructor(private readonly prefix: string) {}

  /**
   * One answer: `list` gets the world mark to answer since (null: a full listing) and returns the world's
   * answer with its mark and whether it is a delta; the chain moves on to the new revision.
   */
  answer<T extends { mark: number; delta: boolean }>(sinceRevision: string | undefined, list: (sinceMark: number | null) => T): T & { revision: string } {
    const since = sinceRevision !== undefined && sinceRevision === this.revision ? this.mark : null;
    const result = list(since);
    this.revision = `${this.prefix}.${++this.seq}`;
    this.mark = result.mark;
    return { ...result, revision: this.revision };
  }
}

/** The chains of one MCP session: one per tool. */
export class SessionListings {
  private readonly prefix = `${PROCESS}-${++sessions}`;
  private readonly chains = new Map<string, ListingChain>();

  chain(tool: string): ListingChain {
    let chain = this.chains.get(tool);
    if (chain === undefined) this.chains.set(tool, (chain = new ListingChain(`${this.prefix}-${tool}`)));
    return chain;
  }
}
