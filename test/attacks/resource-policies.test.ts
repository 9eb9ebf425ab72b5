/**
 * Part A of the attack suite: the synthesized template's resource policies (topic, queue, keys,
 * table, bus, functions, trust) and the roles' own policies, evaluated with the local simulator
 * against an attacker holding PowerUserAccess (and compromised function and channel roles), with
 * the shipped protection SCP in force and without it. moto evaluates none of these policies.
 *
 * With the SCP every attack is denied. Without it every attack is denied by the resource's own Deny
 * (or an identity policy that lacks the action), except what the trust boundary says only the SCP
 * stops: those are printed and the test pins exactly that list, so a new gap fails.
 */
import { recordAttack } from './support/attack-results';
import { buildProtectionScp } from '../../lib/protection-scp';
import { evaluate, type Verdict } from './support/policy-evaluator';
import type { PolicyDocument } from './support/resource-policies';
import { MissingDefence, type PreparedAttack, type ResourceAttack } from './support/attack-targets';
import { LEGITIMATE_USES } from './support/legitimate-uses';
import { RESOURCE_ATTACKS } from './support/resource-attacks';
import { ACCOUNT, REGION, stackUnderAttack, type StackUnderAttack } from './support/stack-under-attack';

const PART = 'resource-policies';

let stack: StackUnderAttack;
let scp: PolicyDocument;
/** What still succeeds without the SCP, in case order. */
const succeededWithoutScp: string[] = [];

beforeAll(() => {
  stack = stackUnderAttack();
  // The SCP the README tells an organization to attach, for this stack, account and region.
  scp = buildProtectionScp({
    stackName: stack.stackName,
    account: ACCOUNT,
    region: REGION,
  }) as unknown as PolicyDocument;
});

afterAll(() => {
  // One block, one line per attack: the documented residual risk.
  if (succeededWithoutScp.length === 0) return;
  console.log(
    succeededWithoutScp
      .map((name) => `without the SCP an attacker with PowerUserAccess can still: ${name}`)
      .join('\n'),
  );
});

type Outcome = { kind: 'verdict'; verdict: Verdict } | { kind: 'missing'; reason: string };

async function attempt(attack: ResourceAttack, scps: PolicyDocument[] | undefined): Promise<Outcome> {
  let prepared: PreparedAttack;
  try {
    prepared = attack.prepare(stack);
  } catch (error) {
    if (error instanceof MissingDefence) return { kind: 'missing', reason: error.message };
    throw error;
  }
  const verdict = await evaluate({
    request: prepared.request,
    identityPolicies: prepared.identityPolicies,
    resourcePolicy: prepared.target.policy,
    scps,
  });
  // A guardrail intersects the role's permissions: the request needs both.
  if (verdict.allowed && prepared.alsoBoundedBy !== undefined && prepared.alsoBoundedBy.length > 0) {
    const bounded = await evaluate({
      request: prepared.request,
      identityPolicies: prepared.alsoBoundedBy,
      resourcePolicy: undefined,
      scps,
    });
    if (!bounded.allowed) return { kind: 'verdict', verdict: bounded };
  }
  return { kind: 'verdict', verdict };
}

function describeOutcome(outcome: Outcome): string {
  if (outcome.kind === 'missing') return `defence missing: ${outcome.reason}`;
  const { verdict } = outcome;
  return verdict.allowed
    ? `allowed by the ${verdict.by}`
    : `${verdict.deniedBy} ${verdict.layers.join(' ') || '(nothing allows it)'}`;
}

const succeeded = (outcome: Outcome): boolean => outcome.kind === 'missing' || outcome.verdict.allowed;

describe('with the shipped protection SCP, an attacker with PowerUserAccess', () => {
  it.each(RESOURCE_ATTACKS.map((attack) => [attack.name, attack] as const))(
    'cannot %s',
    async (_name, attack) => {
      const outcome = await attempt(attack, [scp]);
      recordAttack({
        part: PART,
        name: `${attack.name} (with the SCP)`,
        escalated: succeeded(outcome),
        forgedApplied: false,
      });
      expect(describeOutcome(outcome)).toMatch(/^(explicit|implicit)-deny/);
    },
  );
});

describe('without the SCP, the resources deny by themselves', () => {
  it.each(RESOURCE_ATTACKS.map((attack) => [attack.name, attack] as const))('%s', async (_name, attack) => {
    const outcome = await attempt(attack, undefined);
    const gotThrough = succeeded(outcome);
    if (gotThrough) succeededWithoutScp.push(attack.name);
    // What only the SCP can stop is the documented residual risk, not an escalation of this suite.
    recordAttack({
      part: PART,
      name: `${attack.name} (without the SCP)`,
      escalated: gotThrough && attack.residual !== true,
      forgedApplied: false,
    });
    if (attack.residual === true) expect(describeOutcome(outcome)).toMatch(/^allowed/);
    else expect(describeOutcome(outcome)).toMatch(/^(explicit|implicit)-deny/);
  });

  it('leaves exactly the documented residual risk: what Lambda resource policies cannot deny', () => {
    expect(succeededWithoutScp).toEqual(
      RESOURCE_ATTACKS.filter((attack) => attack.residual === true).map((attack) => attack.name),
    );
  });
});

describe("the stack's own uses of its resources still work (a Deny-all would pass every attack)", () => {
  it.each(LEGITIMATE_USES.map((use) => [use.name, use] as const))(
    '%s, with the SCP and without',
    async (_name, use) => {
      for (const scps of [[scp], undefined]) {
        const prepared = use.prepare(stack);
        const verdict = await evaluate({
          request: prepared.request,
          identityPolicies: prepared.identityPolicies,
          resourcePolicy: prepared.target.policy,
          scps,
        });
        expect(describeOutcome({ kind: 'verdict', verdict })).toMatch(/^allowed/);
      }
    },
  );
});
