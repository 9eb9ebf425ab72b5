/**
 * Identity Center in memory for the apply tests: an IdentityCenterReader and IdentityCenterWriter over
 * one instance's permission sets, whose provisioning is scripted (IN_PROGRESS n times, then SUCCEEDED
 * or FAILED) and, on success, puts the set's inline policy on the reserved role of the one account it
 * was provisioned to: the member account's IAM, which `memberReader` reads back. Every call recorded.
 */
import type {
  PermissionSetAssignment,
  PermissionSetDefinition,
  PermissionSetRef,
  ProvisioningState,
  ProvisioningStatus,
} from '../../lambda/core/identity-center/model';
import type { AccountScope, RoleDetails } from '../../lambda/core/model';
import type { AccountReader } from '../../lambda/ports/account-reader';
import type { IdentityCenterReader, IdentityCenterWriter } from '../../lambda/ports/identity-center';

interface Request {
  ref: PermissionSetRef;
  accountId: string;
  /** The states the next polls answer; the last one stays. */
  states: ProvisioningState[];
  failureReason: string | null;
  /** The inline policy pushed when it succeeds: the set's at request time. */
  inline: string | null;
}

export class InMemoryIdentityCenter implements IdentityCenterReader, IdentityCenterWriter {
  readonly definitions = new Map<string, PermissionSetDefinition>();
  readonly provisionedTo = new Map<string, string[]>();
  /** The reserved role's inline policy in each account, as last provisioned (absent: never). */
  readonly provisionedInline = new Map<string, string | null>();
  readonly puts: { permissionSetArn: string; policy: string }[] = [];
  readonly provisions: { permissionSetArn: string; accountId: string }[] = [];
  readonly polls: string[] = [];
  /** For each next provisioning, its states (default: SUCCEEDED at the first poll). */
  readonly script: { states: ProvisioningState[]; failureReason?: string; pushes?: boolean }[] = [];
  putError: unknown = null;
  provisionError: unknown = null;
  definitionError: unknown = null;
  private readonly requests = new Map<string, Request & { pushes: boolean }>();

  constructor(definitions: PermissionSetDefinition[], provisionedTo: string[]) {
    for (const definition of definitions) {
      this.definitions.set(definition.permissionSetArn, structuredClone(definition));
      this.provisionedTo.set(definition.permissionSetArn, [...provisionedTo]);
    }
  }

  /** Someone else's edit in the console. */
  edit(permissionSetArn: string, change: (definition: PermissionSetDefinition) => void): void {
    const definition = this.definitions.get(permissionSetArn);
    if (definition === undefined) throw new Error(`no set ${permissionSetArn}`);
    change(definition);
  }

  inlineOf(permissionSetArn: string): string | null {
    return this.definitions.get(permissionSetArn)?.inlinePolicy ?? null;
  }

  async permissionSet(name: string): Promise<PermissionSetRef | null> {
    const found = [...this.definitions.values()].find((definition) => definition.name === name);
    return found === undefined
      ? null
      : { instanceArn: found.instanceArn, permissionSetArn: found.permissionSetArn, name: found.name };
  }

  async definition(ref: PermissionSetRef): Promise<PermissionSetDefinition> {
    if (this.definitionError !== null) throw this.definitionError;
    const definition = this.definitions.get(ref.permissionSetArn);
    if (definition === undefined) throw new Error(`ResourceNotFoundException: ${ref.permissionSetArn}`);
    return structuredClone(definition);
  }

  async provisionedAccounts(ref: PermissionSetRef): Promise<string[]> {
    return [...(this.provisionedTo.get(ref.permissionSetArn) ?? [])];
  }

  async assignments(): Promise<PermissionSetAssignment[]> {
    return [];
  }

  async userMemberships(): Promise<{ userId: string; groupIds: string[] } | null> {
    return null;
  }

  async provisioningStatus(ref: PermissionSetRef, requestId: string): Promise<ProvisioningStatus> {
    this.polls.push(requestId);
    const request = this.requests.get(requestId);
    if (request === undefined) throw new Error(`no provisioning request ${requestId}`);
    const state =
      request.states.length > 1 ? (request.states.shift() as ProvisioningState) : request.states[0];
    if (state === undefined) throw new Error('no state scripted');
    if (state === 'SUCCEEDED' && request.pushes) {
      this.provisionedInline.set(request.accountId, request.inline);
      const accounts = this.provisionedTo.get(ref.permissionSetArn) ?? [];
      if (!accounts.includes(request.accountId)) accounts.push(request.accountId);
    }
    return this.statusOf(requestId, request, state);
  }

  async putInlinePolicy(ref: PermissionSetRef, policy: string): Promise<void> {
    this.puts.push({ permissionSetArn: ref.permissionSetArn, policy });
    if (this.putError !== null) throw this.putError;
    const definition = this.definitions.get(ref.permissionSetArn);
    if (definition === undefined) throw new Error(`ResourceNotFoundException: ${ref.permissionSetArn}`);
    definition.inlinePolicy = policy;
  }

  async provision(ref: PermissionSetRef, accountId: string): Promise<ProvisioningStatus> {
    this.provisions.push({ permissionSetArn: ref.permissionSetArn, accountId });
    if (this.provisionError !== null) throw this.provisionError;
    const scripted = this.script.shift() ?? { states: ['SUCCEEDED'] };
    const requestId = `request-${this.provisions.length}`;
    const request = {
      ref,
      accountId,
      states: [...scripted.states],
      failureReason: scripted.failureReason ?? null,
      inline: this.inlineOf(ref.permissionSetArn),
      pushes: scripted.pushes ?? true,
    };
    this.requests.set(requestId, request);
    return this.statusOf(requestId, request, 'IN_PROGRESS');
  }

  private statusOf(requestId: string, request: Request, state: ProvisioningState): ProvisioningStatus {
    return {
      requestId,
      state,
      accountId: request.accountId,
      permissionSetArn: request.ref.permissionSetArn,
      failureReason: state === 'FAILED' ? request.failureReason : null,
    };
  }
}

/**
 * The member account's IAM as the member read role sees it: the reserved role holding what was last
 * provisioned there (as AwsSSOInlinePolicy), and the passed role.
 */
export function memberReader(
  ic: InMemoryIdentityCenter,
  accountId: string,
  reservedRoleArn: string,
  passedRole: RoleDetails | null,
): AccountReader & { reads: number } {
  const reader = {
    reads: 0,
    async loadScope(): Promise<AccountScope> {
      reader.reads++;
      const inline = ic.provisionedInline.get(accountId);
      const principal: RoleDetails = {
        kind: 'role',
        arn: reservedRoleArn,
        name: reservedRoleArn.split('/').at(-1) ?? '',
        path: '/aws-reserved/sso.amazonaws.com/',
        trustPolicy: null,
        inlinePolicies:
          inline === undefined || inline === null
            ? []
            : [
                {
                  name: 'AwsSSOInlinePolicy',
                  document: JSON.parse(inline) as RoleDetails['inlinePolicies'][number]['document'],
                },
              ],
        attachedPolicies: [],
        permissionsBoundary: null,
      };
      return { accountId, principal, passedRole, notes: [] };
    },
  };
  return reader;
}
