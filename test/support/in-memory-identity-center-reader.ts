/**
 * An in-memory IdentityCenterReader for the core's tests (a fake of the port, not of sso-admin): the
 * sets by name, what each is provisioned to, its assignments per account. Calls are counted.
 */
import type {
  PermissionSetAssignment,
  PermissionSetDefinition,
  PermissionSetRef,
  ProvisioningStatus,
} from '../../lambda/core/identity-center/model';
import type { IdentityCenterReader } from '../../lambda/ports/identity-center';

export const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1111222233334444';

export interface FakeSet {
  definition: PermissionSetDefinition;
  provisionedAccounts: string[];
  assignments: Record<string, PermissionSetAssignment[]>;
}

export function permissionSetDefinition(
  name: string,
  parts: Partial<PermissionSetDefinition> = {},
): PermissionSetDefinition {
  return {
    instanceArn: INSTANCE_ARN,
    permissionSetArn: `${INSTANCE_ARN.replace(':instance/', ':permissionSet/')}/ps-${name.length}${name.charCodeAt(0)}`,
    name,
    inlinePolicy: null,
    managedPolicyArns: [],
    customerManagedPolicies: [],
    boundary: null,
    tags: { 'passrole-doctor:managed': 'true' },
    ...parts,
  };
}

export class InMemoryIdentityCenterReader implements IdentityCenterReader {
  readonly calls: string[] = [];
  failure: Error | null = null;

  constructor(private readonly sets: FakeSet[]) {}

  private find(ref: PermissionSetRef): FakeSet {
    const set = this.sets.find((candidate) => candidate.definition.permissionSetArn === ref.permissionSetArn);
    if (set === undefined) throw new Error(`no set ${ref.permissionSetArn}`);
    return set;
  }

  async permissionSet(name: string): Promise<PermissionSetRef | null> {
    this.calls.push(`permissionSet ${name}`);
    if (this.failure !== null) throw this.failure;
    const set = this.sets.find((candidate) => candidate.definition.name === name);
    if (set === undefined) return null;
    const { instanceArn, permissionSetArn } = set.definition;
    return { instanceArn, permissionSetArn, name };
  }

  async definition(ref: PermissionSetRef): Promise<PermissionSetDefinition> {
    this.calls.push(`definition ${ref.name}`);
    return structuredClone(this.find(ref).definition);
  }

  async provisionedAccounts(ref: PermissionSetRef): Promise<string[]> {
    return [...this.find(ref).provisionedAccounts];
  }

  async assignments(ref: PermissionSetRef, accountId: string): Promise<PermissionSetAssignment[]> {
    this.calls.push(`assignments ${ref.name} ${accountId}`);
    return structuredClone(this.find(ref).assignments[accountId] ?? []);
  }

  async userMemberships(): Promise<{ userId: string; groupIds: string[] } | null> {
    return null;
  }

  async provisioningStatus(): Promise<ProvisioningStatus> {
    throw new Error('the core tests of proposals never provision');
  }
}
