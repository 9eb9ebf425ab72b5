/**
 * The product's exception family. Expected outcomes (not applicable, allowed, denied, proposal)
 * are values; these are for what stops a diagnosis from finishing. Each keeps its cause.
 */
export class PassRoleDoctorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that is not what it claims to be (not JSON, not CloudTrail, a snapshot without the principal). */
export class InvalidInputError extends PassRoleDoctorError {
  constructor(
    message: string,
    /** Where the problem is: a file, a record index, a JSON path. */
    readonly where: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** One line for a person: where, then what. Some messages already start with their location. */
export function describeInvalidInput(error: InvalidInputError): string {
  const text = error.message.startsWith(error.where) ? error.message : `${error.where}: ${error.message}`;
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/**
 * A file that fails several checks at once (an Identity Center snapshot): each problem is its own
 * line, naming its JSON path, so one run shows everything to fix.
 */
export class InvalidSnapshotError extends InvalidInputError {
  constructor(
    where: string,
    readonly problems: readonly string[],
  ) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`${where}: not a usable snapshot (${count}): ${problems.join('; ')}`, where);
  }
}

/** The lines for a person: one per problem of an InvalidSnapshotError, else describeInvalidInput's one. */
export function describeInvalidInputLines(error: InvalidInputError): string[] {
  if (!(error instanceof InvalidSnapshotError)) return [describeInvalidInput(error)];
  // eslint-disable-next-line no-control-regex
  const controls = /[\u0000-\u001f\u007f]+/g;
  return error.problems.map((problem) => `${error.where}: ${problem}`.replace(controls, ' ').trim());
}

/**
 * This record's work should be tried again later, as it is: whatever delivers it again (SQS, Lambda's
 * async retries, the reconciler, the caller) resumes it. Catch this one to tell "retry" from "failed".
 */
export class RetryRecordError extends PassRoleDoctorError {}

/** An AWS call failed in a way worth retrying later (throttling, 5xx, network). */
export class TransientAwsError extends RetryRecordError {}

/** Another writer moved the record while this one worked on it: a retry reads it afresh. */
export class ConcurrentChangeError extends RetryRecordError {}

/** An AWS call failed for good (access denied to the reader, malformed request). */
export class AwsCallError extends PassRoleDoctorError {}

/** The simulator could not evaluate the request (policy it cannot parse, unknown action). */
export class SimulationError extends PassRoleDoctorError {}

/** The account data has no such user or role (deleted since the event, or a snapshot of another account). */
export class PrincipalNotFoundError extends InvalidInputError {
  constructor(
    readonly policySourceArn: string,
    readonly accountId: string,
  ) {
    super(`the account data has no IAM entity ${policySourceArn}`, policySourceArn);
  }
}

/**
 * The account a denial or a decision belongs to cannot be reached: in single-account mode another
 * account; in organization mode a member role that is missing, untrusting, or refuses the external id.
 */
export class MemberAccessError extends PassRoleDoctorError {
  constructor(
    readonly accountId: string,
    readonly reason: 'not-this-account' | 'role-unavailable' | 'access-denied',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * An IAM Identity Center call (sso-admin, identitystore) failed for good, or answered otherwise than
 * the service's published model says. Transient failures stay TransientAwsError (retried later).
 * `operation` is the IAM action the call needs, e.g. `sso:ProvisionPermissionSet`.
 */
export class IdentityCenterError extends AwsCallError {
  constructor(
    message: string,
    readonly operation: string,
    readonly reason: 'access-denied' | 'not-found' | 'no-instance' | 'malformed' | 'failed',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
