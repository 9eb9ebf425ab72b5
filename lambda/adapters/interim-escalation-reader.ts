/**
 * INTERIM (to be replaced by the `wiring` branch's EscalationReader adapters over the same account
 * data): reads what the re-check at decision time needs from what exists today, an AccountReader (the
 * role's and each gainer's policies) and the account's GetAccountAuthorizationDetails data (the target
 * group's members, role paths). Roles trusting R and the SCPs are not read: it says so in the notes,
 * which keep the level at least `contained`.
 */
import type { PrincipalDetails, ProposalTarget, RoleDetails } from '../core/model';
import type { EscalationInputs } from '../core/escalation/model';
import type { AccountReader } from '../ports/account-reader';
import type { EscalationReader } from '../ports/escalation-reader';
import type { RolePathResolver } from '../ports/role-path-resolver';
import type { AuthorizationDetails } from './authorization-details';

const ACCOUNT_OF_ARN = /^arn:[^:]+:[^:]+::(\d{12}):/;

export class InterimEscalationReader implements EscalationReader, RolePathResolver {
  /**
   * @param account reads a principal's and the passed role's policies
   * @param details the account's authorization details (users and roles at least), read per call
   */
  constructor(
    private readonly account: AccountReader,
    private readonly details: () => Promise<AuthorizationDetails>,
  ) {}

  async readEscalationInputs(roleArn: string, target: ProposalTarget): Promise<EscalationInputs> {
    const accountId = ACCOUNT_OF_ARN.exec(roleArn)?.[1] ?? '';
    const notes = ['Roles that trust the passed role and the SCPs in force were not read at decision time.'];
    const gainerArns = await this.gainerArns(target);
    const gainers: PrincipalDetails[] = [];
    let role: RoleDetails | null = null;
    for (const arn of gainerArns) {
      const scope = await this.account.loadScope(arn, roleArn);
      role ??= scope.passedRole;
      notes.push(...scope.notes);
      if (scope.principal === null) notes.push(`${arn} was not found in the account.`);
      else gainers.push(scope.principal);
    }
    if (gainerArns.length === 0) role = (await this.account.loadScope(roleArn, roleArn)).passedRole;
    return { accountId, role, gainers, trustingRoles: [], scps: null, notes: [...new Set(notes)] };
  }

  async rolePath(accountId: string, roleName: string): Promise<string | null> {
    const wanted = roleName.toLowerCase();
    const role = ((await this.details()).RoleDetailList ?? []).find(
      (detail) =>
        detail.RoleName?.toLowerCase() === wanted && ACCOUNT_OF_ARN.exec(detail.Arn ?? '')?.[1] === accountId,
    );
    return role?.Path ?? null;
  }

  /** Everyone who gains a grant on the target: the group's members, the user, the role. */
  private async gainerArns(target: ProposalTarget): Promise<string[]> {
    if (target.arn === null) return [];
    if (target.type !== 'group') return [target.arn];
    const users = (await this.details()).UserDetailList ?? [];
    return users.flatMap((user) =>
      (user.GroupList ?? []).includes(target.name) && user.Arn !== undefined ? [user.Arn] : [],
    );
  }
}
