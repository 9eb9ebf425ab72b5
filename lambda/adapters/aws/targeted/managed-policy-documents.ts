/**
 * Managed policy documents for the targeted reader: GetPolicy is asked every incident (the default
 * version can change at any time, AWS managed ones included), and the document of a version is kept
 * for the container's life, keyed by (ARN, version id): a policy version is immutable, so that cache
 * never goes stale, where one keyed by ARN alone kept quoting a replaced default version.
 */
import { GetPolicyCommand, GetPolicyVersionCommand, type IAMClient, type Policy } from '@aws-sdk/client-iam';
import { InvalidInputError } from '../../../core/errors';
import { nameOf } from '../../../core/iam/arn';
import type { ManagedPolicy } from '../../../core/model';
import { decodePolicyDocument } from '../../gaad/policy-document';
import { awsError, isNoSuchEntity } from '../aws-errors';

/** A managed policy with its default document, or why it could not be had (for the notes). */
export type ManagedPolicyFetch = { found: ManagedPolicy } | { unavailable: string };

/** Versions kept at most; an account uses far fewer managed policies than this. */
const MAX_CACHED_VERSIONS = 2_000;

export class ManagedPolicyDocuments {
  /** By `${arn} ${versionId}`; a failed read is dropped so a later incident asks again. */
  private readonly versions = new Map<string, Promise<ManagedPolicyFetch>>();

  constructor(private readonly iam: IAMClient) {}

  /** GetPolicy now, then the default version's document (from the cache when that version was read). */
  async current(arn: string): Promise<ManagedPolicyFetch> {
    let policy: Policy | undefined;
    try {
      policy = (await this.iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
    } catch (error) {
      if (isNoSuchEntity(error)) return { unavailable: 'it no longer exists (GetPolicy: NoSuchEntity)' };
      throw awsError(error, 'iam:GetPolicy');
    }
    const versionId = policy?.DefaultVersionId;
    if (versionId === undefined) return { unavailable: 'GetPolicy gave no default version' };
    const name = policy?.PolicyName ?? nameOf(arn);
    return this.version(arn, name, versionId);
  }

  private version(arn: string, name: string, versionId: string): Promise<ManagedPolicyFetch> {
    const key = `${arn} ${versionId}`;
    const cached = this.versions.get(key);
    if (cached !== undefined) return cached;
    if (this.versions.size >= MAX_CACHED_VERSIONS) this.versions.clear();
    const reading = this.readVersion(arn, name, versionId);
    this.versions.set(key, reading);
    reading.catch(() => this.versions.delete(key));
    return reading;
  }

  private async readVersion(arn: string, name: string, versionId: string): Promise<ManagedPolicyFetch> {
    let document: unknown;
    try {
      const output = await this.iam.send(
        new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }),
      );
      document = output.PolicyVersion?.Document;
    } catch (error) {
      if (isNoSuchEntity(error)) {
        return { unavailable: `its version ${versionId} no longer exists (GetPolicyVersion: NoSuchEntity)` };
      }
      throw awsError(error, 'iam:GetPolicyVersion');
    }
    if (document === undefined) return { unavailable: `GetPolicyVersion gave no document for ${versionId}` };
    try {
      return {
        found: {
          arn,
          name,
          document: decodePolicyDocument(document, `GetPolicyVersion ${arn} ${versionId}`),
        },
      };
    } catch (error) {
      if (error instanceof InvalidInputError) {
        return { unavailable: `its document could not be read (${error.message})` };
      }
      throw error;
    }
  }
}
