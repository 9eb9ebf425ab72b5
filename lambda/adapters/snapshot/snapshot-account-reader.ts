/**
 * An account read from a saved `aws iam get-account-authorization-details` output, held in memory.
 * It is also a PolicyWriter: the demo applies a proposal to the snapshot and diagnoses again; and an
 * EscalationReader, with the SCPs the CLI was given (--scp), or none known; the approvers' role paths;
 * and the role each instance profile holds.
 */
import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../../core/errors';
import type { AccountScope, ManagedPolicy, PolicyDocument, ProposalTarget } from '../../core/model';
import { nameOf } from '../../core/iam/arn';
import type { ManagedPolicyReader } from '../../ports/managed-policy-reader';
import { defaultVersionOf } from '../gaad/entity-builder';
import type { EscalationInputs } from '../../core/escalation/model';
import type { AccountReader } from '../../ports/account-reader';
import type { EscalationReader } from '../../ports/escalation-reader';
import type { InstanceProfileResolver } from '../../ports/instance-profile-resolver';
import type { PolicyWriter } from '../../ports/policy-writer';
import type { RolePathResolver } from '../../ports/role-path-resolver';
import { rolePathIn, scopeFromAuthorizationDetails } from '../authorization-details';
import { instanceProfileRoleIn } from '../gaad/instance-profiles';
import { decodePolicyDocument } from '../gaad/policy-document';
import type { AuthorizationDetails, InlinePolicyDetail } from '../gaad/shapes';
import { assertAuthorizationDetails } from '../gaad/validate';
import {
  escalationInputsFromAuthorizationDetails,
  type ServiceControlPolicyLevels,
} from '../escalation-inputs';
import { describeJsonError } from '../../core/json-error';

export interface SnapshotReaderOptions {
  /** The SCPs in force for the account, one list per level, root first; null (the default) when unknown. */
  scps?: ServiceControlPolicyLevels;
}

/** The error's own message; `instanceof Error` is not used because fs errors may come from another realm. */
function messageOf(error: unknown): string {
  const message =
    typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message.replace(/\s+/g, ' ') : String(error);
}

export class SnapshotAccountReader
  implements
    AccountReader,
    EscalationReader,
    RolePathResolver,
    PolicyWriter,
    InstanceProfileResolver,
    ManagedPolicyReader
{
  private readonly details: AuthorizationDetails;
  private readonly scps: ServiceControlPolicyLevels;

  /**
   * @param json the parsed snapshot (it is copied: later changes to it do not reach the reader)
   * @param source its name in error messages, e.g. 'account.json'
   */
  constructor(
    json: unknown,
    private readonly source: string,
    options: SnapshotReaderOptions = {},
  ) {
    assertAuthorizationDetails(json, source);
    this.details = structuredClone(json);
    this.scps = options.scps ?? null;
  }

  static async fromFile(path: string, options: SnapshotReaderOptions = {}): Promise<SnapshotAccountReader> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new InvalidInputError(`${path}: cannot read the snapshot (${messageOf(error)})`, path, {
        cause: error,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      // Where, in words that do not change with Node's version (V8's message does).
      throw new InvalidInputError(`${path}: not JSON (${describeJsonError(text)})`, path, { cause: error });
    }
    return new SnapshotAccountReader(json, path, options);
  }

  async loadScope(policySourceArn: string, roleArn: string): Promise<AccountScope> {
    return scopeFromAuthorizationDetails(this.details, policySourceArn, roleArn, new Map(), {
      source: this.source,
    });
  }

  async readEscalationInputs(roleArn: string, target: ProposalTarget): Promise<EscalationInputs> {
    return escalationInputsFromAuthorizationDetails(this.details, roleArn, target, new Map(), {
      source: this.source,
      scps: this.scps,
    });
  }

  async rolePath(accountId: string, roleName: string): Promise<string | null> {
    return rolePathIn(this.details, accountId, roleName);
  }

  /** A profile that holds no role is not in a snapshot: it is 'not-found' here, never null. */
  async instanceProfileRole(accountId: string, profile: string): Promise<string | 'not-found'> {
    return instanceProfileRoleIn(this.details, accountId, profile);
  }

  async putInlinePolicy(target: ProposalTarget, policyName: string, document: PolicyDocument): Promise<void> {
    const policies = this.inlinePoliciesOf(target);
    const policy: InlinePolicyDetail = { PolicyName: policyName, PolicyDocument: structuredClone(document) };
    const index = policies.findIndex((existing) => existing.PolicyName === policyName);
    if (index === -1) policies.push(policy);
    else policies[index] = policy;
  }

  async getInlinePolicy(target: ProposalTarget, policyName: string): Promise<PolicyDocument | null> {
    const policies = this.inlinePoliciesOf(target);
    const index = policies.findIndex((existing) => existing.PolicyName === policyName);
    const policy = policies[index];
    if (policy === undefined) return null;
    return decodePolicyDocument(
      policy.PolicyDocument,
      `${this.source}: ${target.type}/${target.name}/${policyName}`,
    );
  }

  /**
   * A managed policy's default document as the snapshot holds it (GAAD's Policies: the account's own,
   * and AWS managed ones when the snapshot was taken with them); null when it holds none. For the
   * managed policies a permission set carries that its role does not yet (ManagedPolicyReader).
   */
  async managedPolicy(arn: string): Promise<ManagedPolicy | null> {
    const policy = this.details.Policies?.find((candidate) => candidate.Arn === arn);
    const version = policy === undefined ? null : defaultVersionOf(policy);
    if (policy === undefined || version === null) return null;
    return {
      arn,
      name: policy.PolicyName ?? nameOf(arn),
      document: decodePolicyDocument(version.version.Document, `${this.source}: ${arn}`),
    };
  }

  /** The snapshot as it now stands (with applied policies), in GAAD's shape, e.g. to save it. */
  toAuthorizationDetails(): AuthorizationDetails {
    return structuredClone(this.details);
  }

  /** The target's inline policy list in the snapshot, created empty when the entity has none yet. */
  private inlinePoliciesOf(target: ProposalTarget): InlinePolicyDetail[] {
    const missing = () =>
      new InvalidInputError(
        `${this.source}: no ${target.type} named ${target.name} in the snapshot`,
        this.source,
      );
    switch (target.type) {
      case 'group': {
        const group = this.details.GroupDetailList?.find((entity) => entity.GroupName === target.name);
        if (group === undefined) throw missing();
        return (group.GroupPolicyList ??= []);
      }
      case 'user': {
        const user = this.details.UserDetailList?.find((entity) => entity.UserName === target.name);
        if (user === undefined) throw missing();
        return (user.UserPolicyList ??= []);
      }
      case 'role': {
        const role = this.details.RoleDetailList?.find((entity) => entity.RoleName === target.name);
        if (role === undefined) throw missing();
        return (role.RolePolicyList ??= []);
      }
      case 'permission-set':
        throw new InvalidInputError(
          `permission set ${target.name} is managed in IAM Identity Center and cannot be applied to an IAM snapshot`,
          this.source,
        );
    }
  }
}
