/**
 * AccountAccess for tests: the ports of each account a test names, with every read and write access
 * asked for recorded (which account, which source identity). An account it does not hold is refused
 * as MemberAccessError (role-unavailable), as a member without its roles is.
 */
import { MemberAccessError } from '../../lambda/core/errors';
import type { AccountAccess, AccountReadAccess, AccountWriteAccess } from '../../lambda/ports/account-access';
import type { AccountReader } from '../../lambda/ports/account-reader';
import type { EscalationReader } from '../../lambda/ports/escalation-reader';
import type { PolicySimulator } from '../../lambda/ports/policy-simulator';
import type { PolicyWriter } from '../../lambda/ports/policy-writer';

/** The faces a test gives an account; the rest refuse, so a test sees any use it did not expect. */
export interface TestAccountPorts {
  escalationReader: EscalationReader;
  writer?: PolicyWriter;
  simulator?: PolicySimulator;
  accountReader?: AccountReader;
}

function unexpected(what: string): never {
  throw new Error(`unexpected use of ${what} in this test`);
}

function readAccessOf(accountId: string, ports: TestAccountPorts): AccountReadAccess {
  return {
    accountId,
    escalationReader: ports.escalationReader,
    accountReader: ports.accountReader ?? { loadScope: () => unexpected('accountReader') },
    simulator: ports.simulator ?? { simulate: () => unexpected('simulator') },
    instanceProfiles: { instanceProfileRole: () => unexpected('instanceProfiles') },
    rolePaths: { rolePath: () => unexpected('rolePaths') },
  };
}

export class FakeAccountAccess implements AccountAccess {
  readonly reads: string[] = [];
  readonly writes: { accountId: string; sourceIdentity: string }[] = [];
  private readonly accounts = new Map<string, TestAccountPorts>();

  constructor(accounts: Record<string, TestAccountPorts> = {}) {
    for (const [id, ports] of Object.entries(accounts)) this.accounts.set(id, ports);
  }

  set(accountId: string, ports: TestAccountPorts): void {
    this.accounts.set(accountId, ports);
  }

  read(accountId: string): Promise<AccountReadAccess> {
    this.reads.push(accountId);
    return Promise.resolve().then(() => readAccessOf(accountId, this.portsOf(accountId)));
  }

  write(accountId: string, sourceIdentity: string): Promise<AccountWriteAccess> {
    this.writes.push({ accountId, sourceIdentity });
    return Promise.resolve().then(() => {
      const ports = this.portsOf(accountId);
      const writer = ports.writer ?? unexpected('writer');
      return { ...readAccessOf(accountId, ports), writer };
    });
  }

  private portsOf(accountId: string): TestAccountPorts {
    const ports = this.accounts.get(accountId);
    if (ports === undefined) {
      throw new MemberAccessError(
        accountId,
        'role-unavailable',
        `the member role in ${accountId} could not be assumed`,
      );
    }
    return ports;
  }
}
