/**
 * A FAKE of AWS Organizations' JSON 1.1 endpoint as a `fetch`, following the service's published
 * model for the read operations the hub calls (DescribeAccount, ListParents, ListRoots,
 * DescribeOrganization, DescribeOrganizationalUnit, ListPoliciesForTarget, DescribePolicy): paged
 * with NextToken, errors as `{__type, message}` with HTTP 400. Unit tests use it where moto cannot
 * do what they need (a page size, throttling, an answer that breaks the model); the live behaviour
 * is tested against moto (test/integration/organizations-reader.test.ts).
 */
export interface FakeUnit {
  id: string;
  name: string;
  parent: string;
}

export interface FakeOrganizationState {
  rootId: string;
  managementAccountId: string;
  scpsEnabled: boolean;
  units: FakeUnit[];
  accounts: { id: string; name: string; parent: string }[];
  policies: { id: string; name: string; content: string }[];
  /** Target id -> attached SCP ids. */
  attachments: Record<string, string[]>;
}

export interface FakeCall {
  operation: string;
  input: Record<string, unknown>;
  headers: Record<string, string>;
}

type Answer = { status: number; body: unknown };

export class FakeOrganizations {
  readonly calls: FakeCall[] = [];
  /** Answer the next calls of an operation with this instead (each used once). */
  private readonly scripted = new Map<string, Answer[]>();

  constructor(
    readonly state: FakeOrganizationState,
    private readonly pageSize = 100,
  ) {}

  script(operation: string, ...answers: Answer[]): void {
    this.scripted.set(operation, [...(this.scripted.get(operation) ?? []), ...answers]);
  }

  count(operation: string): number {
    return this.calls.filter((call) => call.operation === operation).length;
  }

  readonly fetch: typeof fetch = async (_url, init) => {
    const headers = Object.fromEntries(
      Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const operation = (headers['x-amz-target'] ?? '').replace(/^AWSOrganizationsV20161128\./, '');
    const input = JSON.parse(String(init?.body ?? '{}')) as Record<string, unknown>;
    this.calls.push({ operation, input, headers });
    const scripted = this.scripted.get(operation)?.shift();
    const answer = scripted ?? this.answer(operation, input);
    return new Response(JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
    });
  };

  private answer(operation: string, input: Record<string, unknown>): Answer {
    const s = this.state;
    switch (operation) {
      case 'DescribeAccount': {
        const account = s.accounts.find((candidate) => candidate.id === input['AccountId']);
        if (account === undefined) return error('AccountNotFoundException', 'no such account');
        return ok({ Account: { Id: account.id, Name: account.name, Status: 'ACTIVE' } });
      }
      case 'ListParents': {
        const child = [...s.accounts, ...s.units].find((candidate) => candidate.id === input['ChildId']);
        if (child === undefined) return error('ChildNotFoundException', 'no such child');
        const type = child.parent === s.rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT';
        return ok({ Parents: [{ Id: child.parent, Type: type }] });
      }
      case 'ListRoots':
        return ok({
          Roots: [
            {
              Id: s.rootId,
              Name: 'Root',
              PolicyTypes: s.scpsEnabled ? [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }] : [],
            },
          ],
        });
      case 'DescribeOrganization':
        return ok({ Organization: { Id: 'o-abcdefghij', MasterAccountId: s.managementAccountId } });
      case 'DescribeOrganizationalUnit': {
        const unit = s.units.find((candidate) => candidate.id === input['OrganizationalUnitId']);
        if (unit === undefined) return error('OrganizationalUnitNotFoundException', 'no such OU');
        return ok({ OrganizationalUnit: { Id: unit.id, Name: unit.name } });
      }
      case 'ListPoliciesForTarget': {
        const ids = s.attachments[String(input['TargetId'])] ?? [];
        const summaries = s.policies
          .filter((policy) => ids.includes(policy.id))
          .sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id))
          .map((policy) => ({ Id: policy.id, Name: policy.name, Type: 'SERVICE_CONTROL_POLICY' }));
        const start = Number(input['NextToken'] ?? 0);
        const page = summaries.slice(start, start + this.pageSize);
        const next = start + this.pageSize < summaries.length ? String(start + this.pageSize) : undefined;
        return ok({ Policies: page, ...(next === undefined ? {} : { NextToken: next }) });
      }
      case 'DescribePolicy': {
        const policy = s.policies.find((candidate) => candidate.id === input['PolicyId']);
        if (policy === undefined) return error('PolicyNotFoundException', 'no such policy');
        return ok({
          Policy: { PolicySummary: { Id: policy.id, Name: policy.name }, Content: policy.content },
        });
      }
      default:
        return error('InvalidInputException', `the fake has no ${operation}`);
    }
  }
}

function ok(body: unknown): Answer {
  return { status: 200, body };
}

export function error(type: string, message: string, status = 400): Answer {
  return { status, body: { __type: type, message } };
}
