/**
 * A permission set's blast radius wherever a proposal is shown: the CLI's text and JSON, the e-mail,
 * the chat message and the review page, with every name from Identity Center escaped where it lands.
 */
import { LocalPolicySimulator } from '../../../lambda/adapters/local/local-policy-simulator';
import { InMemoryAuthorizationRecordReader } from '../../../lambda/adapters/memory/in-memory-authorization-record-reader';
import { createDiagnoser } from '../../../lambda/core/diagnose';
import type { PermissionSetAssignment } from '../../../lambda/core/identity-center/model';
import { incidentKeyOf, newIncidentRecord, type IncidentRecord } from '../../../lambda/core/incident';
import type { DiagnosisOf } from '../../../lambda/core/model';
import { defaultEscalationDependencies } from '../../../lambda/core/proposal/assess-escalation';
import { assignmentWords, blastRadiusSummary } from '../../../lambda/core/render/identity-center';
import { toJsonReport } from '../../../lambda/core/render/json-report';
import { renderMessage } from '../../../lambda/core/render/message';
import { renderReviewPage } from '../../../lambda/core/render/review-page';
import { renderTextReport } from '../../../lambda/core/render/text-report';
import { denialOf } from '../../support/denials';
import {
  InMemoryIdentityCenterReader,
  permissionSetDefinition,
} from '../../support/in-memory-identity-center-reader';
import { NO_INSTANCE_PROFILES } from '../../support/instance-profiles';
import { ACCOUNT, managed, role, scope } from '../../support/scope-builders';
import { scopeEscalationReader } from '../../support/scope-escalation-reader';

const HOSTILE = '<b>Ops*_`x`</b>&';
const SET = 'Data_Engineers';
const RESERVED = `AWSReservedSSO_${SET}_0123456789abcdef`;
const glue = managed('AWSGlueConsoleFullAccess', { Effect: 'Allow', Action: 'glue:*', Resource: '*' });
const reserved = role(RESERVED, { path: '/aws-reserved/sso.amazonaws.com/', attachedPolicies: [glue] });
const accountScope = scope(reserved, role('etl-runtime'));

const assignments: PermissionSetAssignment[] = [
  { principalType: 'USER', principalId: 'u-1', displayName: 'mei', memberCount: 1, memberNames: [] },
  {
    principalType: 'GROUP',
    principalId: 'g-1',
    displayName: HOSTILE,
    memberCount: 25,
    memberNames: Array.from({ length: 22 }, (_, index) => `user${index + 1}`),
  },
  { principalType: 'GROUP', principalId: 'g-2', displayName: null, memberCount: null, memberNames: [] },
];

let diagnosis: DiagnosisOf<'proposed'>;
let record: IncidentRecord;

beforeAll(async () => {
  const reader = new InMemoryIdentityCenterReader([
    {
      definition: permissionSetDefinition(SET, { managedPolicyArns: [glue.arn] }),
      provisionedAccounts: [ACCOUNT, '444455556666', '777788889999'],
      assignments: { [ACCOUNT]: assignments },
    },
  ]);
  const diagnoser = createDiagnoser({
    authorizationRecords: new InMemoryAuthorizationRecordReader(),
    accountReader: { loadScope: async () => accountScope },
    escalation: defaultEscalationDependencies(scopeEscalationReader(accountScope)),
    simulator: new LocalPolicySimulator(),
    instanceProfiles: NO_INSTANCE_PROFILES,
    identityCenter: { reader, simulator: new LocalPolicySimulator() },
  });
  const denial = denialOf({
    principalType: 'sso-role',
    permissionSetName: SET,
    principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${RESERVED}/mei`,
    policySourceArn: reserved.arn,
  });
  const result = await diagnoser.diagnose(denial);
  if (result.outcome !== 'proposed') throw new Error(`no proposal: ${result.outcome}`);
  diagnosis = result;
  record = newIncidentRecord({
    id: 'proposal-1',
    incidentKey: incidentKeyOf(denial),
    diagnosis,
    now: new Date('2026-06-17T02:05:00Z'),
    ttlHours: 72,
  });
});

describe('the blast radius words', () => {
  it('name people, accounts and assignments; a group of unknown size makes the count unknown', () => {
    const radius = diagnosis.proposal.target.blastRadius;
    if (radius === undefined) throw new Error('no blast radius');
    expect(blastRadiusSummary(radius, ACCOUNT)).toBe(
      `an unknown number of people in account ${ACCOUNT} (3 assignments); provisioned to 3 accounts`,
    );
    expect(assignmentWords(assignments[0] as PermissionSetAssignment)).toBe('user mei');
    expect(assignmentWords(assignments[1] as PermissionSetAssignment)).toBe(
      `group ${HOSTILE} (25 members: ${Array.from({ length: 20 }, (_, i) => `user${i + 1}`).join(', ')} and 5 others)`,
    );
    expect(assignmentWords(assignments[2] as PermissionSetAssignment)).toBe(
      'group g-2 (name not readable) (size not readable)',
    );
  });

  it('"up to" when a person may be counted twice', () => {
    const radius = { people: 26, accounts: 1, assignments: assignments.slice(0, 2) };
    expect(blastRadiusSummary(radius, ACCOUNT)).toMatch(/^up to 26 people in account/);
  });
});

describe('the blast radius where a proposal is shown', () => {
  it('the JSON report: its own field beside escalation', () => {
    const json = toJsonReport(diagnosis) as { proposal: Record<string, unknown> };
    expect(json.proposal['blastRadius']).toEqual(diagnosis.proposal.target.blastRadius);
    expect(Object.keys(json.proposal)).toEqual(
      expect.arrayContaining(['escalation', 'blastRadius', 'approval']),
    );
  });

  it('the text report: the merge, who it reaches, each assignment', () => {
    const text = renderTextReport(diagnosis);
    expect(text).toContain(
      `Proposed fix: statement ${diagnosis.proposal.policyName} merged into the inline policy of permission set ${SET}`,
    );
    expect(text).toContain(`  Reaches: an unknown number of people in account ${ACCOUNT} (3 assignments)`);
    expect(text).toContain('    user mei\n');
    expect(text).toContain(
      `  Verified by simulation: allowed as the set would be provisioned to account ${ACCOUNT}, with the statement merged.`,
    );
  });

  it('the e-mail: a section with the names as plain text', () => {
    const { email } = renderMessage({ kind: 'new', record, reviewBaseUrl: null });
    expect(email).toContain('Who the permission set reaches');
    expect(email).toContain(`group ${HOSTILE} (25 members`);
  });

  it('the chat message: names escaped as chat text, nothing of them read as markup', () => {
    const { chatbot } = renderMessage({ kind: 'new', record, reviewBaseUrl: null });
    const description = chatbot.content.description;
    expect(description).toContain('*Reaches:* an unknown number of people');
    expect(description).not.toContain('<b>');
    expect(description).toContain('&lt;b&gt;');
  });

  it('the review page: the names escaped as HTML', () => {
    const html = renderReviewPage({
      record,
      history: [],
      token: null,
      actionBase: '/proposals/proposal-1',
      now: new Date('2026-06-18T00:00:00Z'),
    });
    expect(html).toContain('<h2>Who the permission set reaches</h2>');
    expect(html).toContain('group &lt;b&gt;Ops*_&#96;x&#96;&lt;/b&gt;&amp; (25 members');
    expect(html).not.toContain(HOSTILE);
  });
});
