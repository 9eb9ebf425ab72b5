import type { AwsAuthorizationRecord, AwsRecordLookup } from '../../core/evidence/aws-evaluation';
import type { AuthorizationRecordReader } from '../../ports/authorization-record-reader';

/**
 * AWS's evaluation records held in memory, by authorization ID: for tests, and, holding none, for
 * every diagnosis that reads no AWS record (offline from a snapshot, the demo, the bench). An ID it
 * does not hold is `not-consulted`, never `not-found`: it did not ask AWS.
 */
export class InMemoryAuthorizationRecordReader implements AuthorizationRecordReader {
  /** Every read, in order (ID and region). */
  readonly reads: { authorizationId: string; region: string }[] = [];
  private readonly lookups: Map<string, AwsRecordLookup>;

  /**
   * @param held records (or lookups, to answer an ID with an `unavailable` reason) by authorization ID
   * @param detail why an ID it does not hold was not read, as the report says it
   */
  constructor(
    held: Iterable<[string, AwsAuthorizationRecord | AwsRecordLookup]> = [],
    private readonly detail = 'no AWS record reader is configured here',
  ) {
    this.lookups = new Map(
      [...held].map(([id, entry]) => [id, 'kind' in entry ? entry : { kind: 'found', record: entry }]),
    );
  }

  async read(authorizationId: string, region: string): Promise<AwsRecordLookup> {
    this.reads.push({ authorizationId, region });
    const lookup = this.lookups.get(authorizationId);
    return structuredClone(lookup ?? { kind: 'unavailable', reason: 'not-consulted', detail: this.detail });
  }
}
