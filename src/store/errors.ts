/**
 * Errors callers branch on by type. Each names what it refused in its message, so the CLI, the HTTP API
 * and the approval channels can show `error.message` as it is.
 */
export class StoreError extends Error {
  override name = "StoreError";
}

export class ProposalNotFoundError extends StoreError {
  override name = "ProposalNotFoundError";
  constructor(readonly proposalId: string) {
    super(`no proposal ${JSON.stringify(proposalId)}`);
  }
}

/** `insert` of an id that is already stored with a different body (the same body is a no-op). */
export class ProposalConflictError extends StoreError {
  override name = "ProposalConflictError";
  constructor(readonly proposalId: string) {
    super(`proposal ${JSON.stringify(proposalId)} is already stored with a different body`);
  }
}

export class InvalidTransitionError extends StoreError {
  override name = "InvalidTransitionError";
  constructor(
    readonly proposalId: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`proposal ${JSON.stringify(proposalId)} cannot go from ${from} to ${to}`);
  }
}

export class ApprovalNotFoundError extends StoreError {
  override name = "ApprovalNotFoundError";
  constructor(readonly proposalId: string) {
    super(`no approval was requested for proposal ${JSON.stringify(proposalId)}`);
  }
}

/** A decision on an approval that is no longer pending (already approved, rejected or expired). */
export class ApprovalNotPendingError extends StoreError {
  override name = "ApprovalNotPendingError";
  constructor(
    readonly proposalId: string,
    readonly status: string,
  ) {
    super(`the approval of proposal ${JSON.stringify(proposalId)} is ${status}, not pending`);
  }
}

/** A decision that arrives at or after the approval's expiry; `expireDue` marks it expired. */
export class ApprovalExpiredError extends StoreError {
  override name = "ApprovalExpiredError";
  constructor(
    readonly proposalId: string,
    readonly expiresAtMs: number,
    readonly atMs: number,
  ) {
    super(`the approval of proposal ${JSON.stringify(proposalId)} expired at ${new Date(expiresAtMs).toISOString()}`);
  }
}

/** The proposer of an action can never approve it. */
export class SelfApprovalError extends StoreError {
  override name = "SelfApprovalError";
  constructor(
    readonly proposalId: string,
    readonly approver: string,
  ) {
    super(`${JSON.stringify(approver)} proposed ${JSON.stringify(proposalId)} and cannot approve or reject it`);
  }
}

export class SecretInPayloadError extends StoreError {
  override name = "SecretInPayloadError";
  constructor(
    readonly where: string,
    readonly path: string,
  ) {
    super(`${where}: ${path} looks like a credential; skyops never stores secrets`);
  }
}

/** The state database does not exist where it was looked for. */
export class DatabaseMissingError extends StoreError {
  override name = "DatabaseMissingError";
  constructor(readonly path: string) {
    super(`no skyops database at ${path} (start the daemon, or pass --state DIR)`);
  }
}

/** `ExecutionRepository.require` of an id that is not stored. */
export class ExecutionNotFoundError extends Error {
  override readonly name = "ExecutionNotFoundError";
  constructor(readonly executionId: string) {
    super(`no execution "${executionId}"`);
  }
}

/** A repository of a unit of work used after the unit of work ended (committed or rolled back). */
export class UnitOfWorkEndedError extends StoreError {
  override name = "UnitOfWorkEndedError";
  constructor() {
    super("this unit of work has ended: its repositories cannot be used any more (use the store's, or start another unit of work)");
  }
}
