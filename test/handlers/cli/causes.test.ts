/**
 * The CLI on denials whose cause the message tells and the account data does not (issue 12): an SCP
 * deny not given, a session policy, a cross-account pass whose role CloudTrail hid. The fixtures are
 * the seed account's (test/fixtures/cloudtrail/causes/README.md).
 */
import { join } from 'node:path';
import { runCli } from '../../../lambda/handlers/cli/main';
import type { CliIo } from '../../../lambda/handlers/cli/io';

const ROOT = join(__dirname, '../../..');
const SEED_SNAPSHOT = join(ROOT, 'examples/seed/account.json');
const SCP_DENY = join(ROOT, 'test/fixtures/scp/deny-passrole.json');
const SCP_ARN =
  'arn:aws:organizations::111122223333:policy/o-exampleorgid/service_control_policy/p-examplescp';
const event = (name: string) => join(ROOT, 'test/fixtures/cloudtrail/causes', `${name}.json`);

interface Report {
  verdict: string;
  summary: string;
  reason: string | null;
  outcome: string;
  denial: { roleArn: string | null; messageCause: Record<string, unknown> };
  findings: { kind: string; message: string; policy: string | null }[];
  proposal: { verified: boolean; blockers: string[] } | null;
}

async function diagnose(name: string, ...extra: string[]): Promise<{ report: Report; text: string[] }> {
  const run = async (json: boolean) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line) };
    const argv = ['diagnose', '--event', event(name), '--snapshot', SEED_SNAPSHOT, ...extra];
    const code = await runCli(json ? [...argv, '--json'] : argv, io);
    expect({ code, err }).toEqual({ code: 0, err: [] });
    return out;
  };
  const [line] = await run(true);
  return { report: JSON.parse(line ?? '') as Report, text: await run(false) };
}

describe('passrole-doctor diagnose: causes the account data does not show', () => {
  it('an SCP deny named with its ARN and not given: not visible here, the proposal NOT verified', async () => {
    const { report, text } = await diagnose(
      '01-glue-UpdateJob-explicit-deny-scp-with-arn-not-in-account-data',
    );
    expect(report.verdict).toBe('explicitDeny');
    expect(report.findings[0]).toMatchObject({ kind: 'scp', policy: SCP_ARN });
    expect(report.findings[0]?.message).toContain('--scp');
    expect(report.proposal?.verified).toBe(false);
    expect(report.proposal?.blockers[0]).toContain(SCP_ARN);
    expect(report.summary).not.toMatch(/: no policy allows it/);
    expect(text.join('\n')).toContain(
      `NOT verified: still blocked (explicit deny in a service control policy ${SCP_ARN}`,
    );
  });

  it('the same denial with the SCP given by --scp: the deny is reproduced, nothing proposed', async () => {
    const { report } = await diagnose(
      '01-glue-UpdateJob-explicit-deny-scp-with-arn-not-in-account-data',
      '--scp',
      SCP_DENY,
    );
    expect(report).toMatchObject({ outcome: 'explicit-deny', verdict: 'explicitDeny', proposal: null });
    expect(report.findings.map((f) => f.message).join(' ')).not.toContain('not visible here');
  });

  it('an explicit deny in a session policy: the session policy is the cause, no proposal on the role', async () => {
    const { report } = await diagnose('02-glue-UpdateJob-explicit-deny-session-policy-AssumedRole');
    expect(report).toMatchObject({ outcome: 'unsimulated', verdict: 'explicitDeny', proposal: null });
    expect(report.summary).toContain('by its session policy');
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'session-policy' })]);
    expect(report.findings[0]?.message).toContain('the role data-pipeline');
    expect(report.findings[0]?.message).toContain('sts:AssumeRole');
  });

  it("a federated user's session policy that allows nothing: GetFederationToken, no proposal", async () => {
    const { report } = await diagnose('03-glue-UpdateJob-no-session-policy-allows-FederatedUser');
    expect(report).toMatchObject({ outcome: 'unsimulated', verdict: 'implicitDeny', proposal: null });
    expect(report.findings[0]?.message).toContain('sts:GetFederationToken');
    expect(report.findings[0]?.message).toContain('the IAM user mei.tanaka');
  });

  it('a cross-account pass whose role CloudTrail hid: cross-account, not "the record names no role"', async () => {
    const { report, text } = await diagnose('04-lambda-CreateFunction20150331-cross-account-role-hidden');
    expect(report).toMatchObject({
      outcome: 'unsimulated',
      reason: null,
      denial: { roleArn: null, messageCause: { explicit: null, crossAccount: true } },
    });
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'cross-account' })]);
    expect(report.summary).toContain('a role of another account');
    expect(text.join('\n')).not.toContain('does not say which role was passed');
  });
});
