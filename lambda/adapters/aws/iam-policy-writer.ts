/**
 * The only code in the product that writes IAM: an inline policy on a group, user or role
 * (Put{Group,User,Role}Policy), and its read-back (Get{Group,User,Role}Policy) so the apply step can
 * compare what IAM holds with what was approved. Throttling is retried by the client's own retry
 * strategy; what is left is mapped to the product's errors.
 */
import {
  GetGroupPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { AwsCallError, InvalidInputError, TransientAwsError } from '../../core/errors';
import type { PolicyDocument, ProposalTarget } from '../../core/model';
import type { PolicyWriter } from '../../ports/policy-writer';
import { decodePolicyDocument } from '../gaad/policy-document';
import { isTransientAwsFailure } from './aws-errors';

type WritableTargetType = 'group' | 'user' | 'role';

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
}

function errorShape(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

function isNoSuchEntity(error: unknown): boolean {
  const name = errorShape(error).name;
  return name === 'NoSuchEntityException' || name === 'NoSuchEntity';
}

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

/** The product's error for a failed call; `action` is the IAM permission the call needs. */
function awsError(error: unknown, action: string, target: ProposalTarget): Error {
  const shape = errorShape(error);
  const name = typeof shape.name === 'string' ? shape.name : 'Error';
  const detail = typeof shape.message === 'string' && shape.message !== '' ? `: ${shape.message}` : '';
  const on = `${target.type} ${target.name}`;
  if (isTransientAwsFailure(error)) {
    return new TransientAwsError(`${action} on ${on} failed, worth retrying later (${name}${detail})`, {
      cause: error,
    });
  }
  if (ACCESS_DENIED.has(name)) {
    return new AwsCallError(`Access denied: ${action} on ${on} is not allowed (${name}${detail})`, {
      cause: error,
    });
  }
  return new AwsCallError(`${action} on ${on} failed (${name}${detail})`, { cause: error });
}

/** A permission set lives in IAM Identity Center: there is no IAM entity to put a policy on. */
function writableType(target: ProposalTarget): WritableTargetType {
  if (target.type === 'permission-set') {
    throw new InvalidInputError(
      `permission set ${target.name} is managed in IAM Identity Center: its policy cannot be written through IAM`,
      'target',
    );
  }
  return target.type;
}

export class IamPolicyWriter implements PolicyWriter {
  constructor(private readonly iam: IAMClient) {}

  async putInlinePolicy(target: ProposalTarget, policyName: string, document: PolicyDocument): Promise<void> {
    const type = writableType(target);
    const PolicyDocument = JSON.stringify(document);
    const common = { PolicyName: policyName, PolicyDocument };
    const action = `iam:Put${capitalized(type)}Policy`;
    try {
      if (type === 'group')
        await this.iam.send(new PutGroupPolicyCommand({ GroupName: target.name, ...common }));
      else if (type === 'user')
        await this.iam.send(new PutUserPolicyCommand({ UserName: target.name, ...common }));
      else await this.iam.send(new PutRolePolicyCommand({ RoleName: target.name, ...common }));
    } catch (error) {
      throw awsError(error, action, target);
    }
  }

  /** null when IAM has no such policy (or no such entity) to read back. */
  async getInlinePolicy(target: ProposalTarget, policyName: string): Promise<PolicyDocument | null> {
    const type = writableType(target);
    const action = `iam:Get${capitalized(type)}Policy`;
    let document: string | undefined;
    try {
      if (type === 'group') {
        const output = await this.iam.send(
          new GetGroupPolicyCommand({ GroupName: target.name, PolicyName: policyName }),
        );
        document = output.PolicyDocument;
      } else if (type === 'user') {
        const output = await this.iam.send(
          new GetUserPolicyCommand({ UserName: target.name, PolicyName: policyName }),
        );
        document = output.PolicyDocument;
      } else {
        const output = await this.iam.send(
          new GetRolePolicyCommand({ RoleName: target.name, PolicyName: policyName }),
        );
        document = output.PolicyDocument;
      }
    } catch (error) {
      if (isNoSuchEntity(error)) return null;
      throw awsError(error, action, target);
    }
    if (document === undefined) {
      throw new AwsCallError(`${action} on ${target.type} ${target.name} answered without a document`);
    }
    // IAM answers URL-encoded JSON (RFC 3986); emulators may answer plain JSON: the decoder takes both.
    return decodePolicyDocument(document, `${action} ${target.type}/${target.name}/${policyName}`);
  }
}

function capitalized(type: WritableTargetType): string {
  return type.charAt(0).toUpperCase() + type.slice(1);
}
