/**
 * Identity Center: group and user names come from identitystore, which whoever administers the
 * directory (or a synced IdP) chooses, and they reach reviewers in the message, the review page and
 * the CLI as the blast radius. A hostile name must land as text everywhere. And the blast radius must
 * not be a way around approval: a set held by many people (or an unknown number) is never approvable
 * by a review link alone.
 */
import { LocalPolicySimulator } from '../../lambda/adapters/local/local-policy-simulator';
import { InMemoryAuthorizationRecordReader } from '../../lambda/adapters/memory/in-memory-authorization-record-reader';
import { linkMayApproveProposal } from '../../lambda/core/render/escalation-labels';
import { createDiagnoser } from '../../lambda/core/diagnose';
import type { PermissionSetAssignment } from '../../lambda/core/identity-center/model';
import { incidentKeyOf, newIncidentRecord } from '../../lambda/core/incident';
import type { Diagnosis } from '../../lambda/core/model';
import { defaultEscalationDependencies } from '../../lambda/core/proposal/assess-escalation';
import { renderMessage } from '../../lambda/core/render/message';
import { renderReviewPage } from '../../lambda/core/render/review-page';
import { renderTextReport } from '../../lambda/core/render/text-report';
import { denialOf } from '../support/denials';
import {
  InMemoryIdentityCenterReader,
  permissionSetDefinition,
} from '../support/in-memory-identity-center-reader';
import { NO_INSTANCE_PROFILES } from '../support/instance-profiles';
import { ACCOUNT, managed, role, scope } from '../support/scope-builders';
import { scopeEscalationReader } from '../support/scope-escalation-reader';
import { recordAttack } from './support/attack-results';

const PART = 'identity-center-names';
const SET = 'Data_Engineers';
const RESERVED = `AWSReservedSSO_${SET}_0123456789abcdef`;
const glue = managed('AWSGlueConsoleFullAccess', { Effect: 'Allow', Action: 'glue:*', Resource: '*' });
const reserved = role(RESERVED, { path: '/aws-reserved/sso.amazonaws.com/', attachedPolicies: [glue] });
const accountScope = scope(reserved, role('etl-runtime'));
const denial = denialOf({
  principalType: 'sso-role',
  permissionSetName: SET,
  principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${RESERVED}/mei`,
  policySourceArn: reserved.arn,
});

const HOSTILE_NAMES: [string, string][] = [
  ['an HTML script tag', '<script>fetch("//evil")</script>'],
  ['an HTML attribute break', '"><img src=x onerror=alert(1)>'],
  ['a Slack broadcast', '<!channel> @here please approve'],
  ['a markdown link', '[Approve now](https://evil.example/approve)'],
  ['a code fence break', '```\n*Approval:* not needed\n```'],
  ['a terminal escape', '\u001b[2J\u001b[1;1Hpasswd'],
];

const HTML_MARKUP = /<script|<img|<!channel>/i;
const CHAT_MARKUP = /<script|<img|<!channel>|(?<!\u200b)@here|(?<!\\)\[Approve now\]\(https/i;
// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

async function diagnosed(
  assignments: PermissionSetAssignment[],
  approvers: string[] = [],
): Promise<Diagnosis> {
  const reader = new InMemoryIdentityCenterReader([
    {
      definition: permissionSetDefinition(SET, { managedPolicyArns: [glue.arn] }),
      provisionedAccounts: [ACCOUNT],
      assignments: { [ACCOUNT]: assignments },
    },
  ]);
  const escalation = defaultEscalationDependencies(scopeEscalationReader(accountScope));
  escalation.approvalPolicy.settings = { ...escalation.approvalPolicy.settings, approvers };
  return createDiagnoser({
    authorizationRecords: new InMemoryAuthorizationRecordReader(),
    accountReader: { loadScope: async () => accountScope },
    escalation,
    simulator: new LocalPolicySimulator(),
    instanceProfiles: NO_INSTANCE_PROFILES,
    identityCenter: { reader, simulator: new LocalPolicySimulator() },
  }).diagnose(denial);
}

describe('a hostile identitystore name lands as text wherever the blast radius is shown', () => {
  it.each(HOSTILE_NAMES)('%s', async (label, name) => {
    const diagnosis = await diagnosed([
      { principalType: 'USER', principalId: 'u-1', displayName: name, memberCount: 1, memberNames: [] },
      {
        principalType: 'GROUP',
        principalId: 'g-1',
        displayName: name,
        memberCount: 2,
        memberNames: [name, 'ok'],
      },
    ]);
    const record = newIncidentRecord({
      id: 'proposal-1',
      incidentKey: incidentKeyOf(denial),
      diagnosis: { ...diagnosis, denial },
      now: new Date('2026-06-17T02:05:00Z'),
      ttlHours: 72,
    });
    const message = renderMessage({ kind: 'new', record, reviewBaseUrl: 'https://review.example.com' });
    const html = renderReviewPage({
      record,
      history: [],
      token: 'T'.repeat(43),
      actionBase: '/proposals/proposal-1',
      now: new Date('2026-06-18T00:00:00Z'),
    });
    const text = renderTextReport(diagnosis);

    const breaches: string[] = [];
    if (!html.includes('id="blast-radius"')) breaches.push('review page shows no blast radius');
    if (HTML_MARKUP.test(html) || (/[<>"&]/.test(name) && html.includes(name))) breaches.push('review page');
    if (CHAT_MARKUP.test(JSON.stringify(message.chatbot))) breaches.push('chat');
    if (TERMINAL_CONTROL.test(message.email) || TERMINAL_CONTROL.test(message.text)) breaches.push('e-mail');
    if (TERMINAL_CONTROL.test(text.replace(/\n/g, ' '))) breaches.push('CLI text');

    recordAttack({
      part: PART,
      name: `hostile identitystore name: ${label}`,
      escalated: breaches.length > 0,
      forgedApplied: false,
    });
    expect(breaches).toEqual([]);
  });
});

describe('the blast radius is no way around approval', () => {
  const crowd = (memberCount: number | null): PermissionSetAssignment[] => [
    { principalType: 'GROUP', principalId: 'g-1', displayName: 'Everyone', memberCount, memberNames: [] },
  ];

  it.each([
    ['a set held by 500 people', crowd(500)],
    ['a set whose group size identitystore hides', crowd(null)],
  ])('%s: never one approver, with or without listed approvers', async (label, assignments) => {
    const results = await Promise.all([
      diagnosed(assignments),
      diagnosed(assignments, ['arn:aws:iam::111111111111:role/Approver']),
    ]);
    // One approver (by link or any IAM caller) is what the blast radius must rule out.
    const linkApproves = results.some(
      (diagnosis) =>
        diagnosis.outcome !== 'proposed' ||
        diagnosis.proposal.approval?.requires === 'one-approver' ||
        linkMayApproveProposal(diagnosis.proposal),
    );
    recordAttack({
      part: PART,
      name: `link approval of ${label}`,
      escalated: linkApproves,
      forgedApplied: false,
    });
    expect(linkApproves).toBe(false);
  });
});
