import type { AwsRecordLookup } from '../core/evidence/aws-evaluation';

/** Reads AWS's evaluation record of a denied request (IAM Toolbox GetRequestAuthorizationDetails). */
export interface AuthorizationRecordReader {
  /**
   * Never rejects: every failure is an `unavailable` lookup with its reason, so a missing record
   * never fails the incident.
   * @param region the region of the message's console URL, else the event's region
   */
  read(authorizationId: string, region: string): Promise<AwsRecordLookup>;
}
