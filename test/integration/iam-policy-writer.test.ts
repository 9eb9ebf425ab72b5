/**
 * The apply step's IAM side against moto_server: a real PutGroupPolicy / GetGroupPolicy round trip
 * on the seed's account, through the product's IamPolicyWriter.
 */
import { GetGroupPolicyCommand, ListGroupPoliciesCommand } from '@aws-sdk/client-iam';
import { IamPolicyWriter } from '../../lambda/adapters/aws/iam-policy-writer';
import { AwsCallError } from '../../lambda/core/errors';
import { canonicalJson } from '../../lambda/core/incident';
import type { PolicyDocument, ProposalTarget } from '../../lambda/core/model';
import { createMotoClients, MOTO_ACCOUNT_ID, motoEndpoint, type MotoClients } from './support/aws-clients';
import { resetMoto } from './support/moto';
import { seedGlueAccount } from './support/seed-account';

const GLUE_ACCESS: ProposalTarget = {
  type: 'group',
  name: 'GlueAccess',
  arn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:group/GlueAccess`,
  memberCount: 2,
};
const POLICY_NAME = 'AllowPassEtlNightlyRuntimeToGlue';
/** The seed's proposal (examples/seed: what the diagnosis proposes for mei.tanaka). */
const DOCUMENT: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AllowPassEtlNightlyRuntimeToGlue',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/etl-nightly-runtime`,
      Condition: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } },
    },
  ],
};

describe('IamPolicyWriter against moto_server', () => {
  let clients: MotoClients;
  let writer: IamPolicyWriter;

  beforeAll(async () => {
    await resetMoto(motoEndpoint());
    clients = createMotoClients();
    await seedGlueAccount(clients.iam);
    writer = new IamPolicyWriter(clients.iam);
  });

  afterAll(() => clients.destroy());

  it('reads back nothing before the policy is put', async () => {
    await expect(writer.getInlinePolicy(GLUE_ACCESS, POLICY_NAME)).resolves.toBeNull();
  });

  it('puts the group policy and reads back the same document (canonical JSON)', async () => {
    await writer.putInlinePolicy(GLUE_ACCESS, POLICY_NAME, DOCUMENT);

    const names = await clients.iam.send(new ListGroupPoliciesCommand({ GroupName: 'GlueAccess' }));
    expect(names.PolicyNames).toContain(POLICY_NAME);
    const raw = await clients.iam.send(
      new GetGroupPolicyCommand({ GroupName: 'GlueAccess', PolicyName: POLICY_NAME }),
    );
    // moto answers the document URL-encoded, as IAM does: the writer must decode it.
    expect(raw.PolicyDocument).toMatch(/^%7B/);
    expect(JSON.parse(decodeURIComponent(raw.PolicyDocument ?? ''))).toEqual(DOCUMENT);

    const readBack = await writer.getInlinePolicy(GLUE_ACCESS, POLICY_NAME);
    expect(readBack).toEqual(DOCUMENT);
    expect(canonicalJson(readBack)).toBe(canonicalJson(DOCUMENT));
  });

  it('overwrites on a second put (PutGroupPolicy replaces a policy of the same name)', async () => {
    const other: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'glue:GetJob', Resource: '*' }],
    };
    await writer.putInlinePolicy(GLUE_ACCESS, 'scratch', other);
    await writer.putInlinePolicy(GLUE_ACCESS, 'scratch', DOCUMENT);
    await expect(writer.getInlinePolicy(GLUE_ACCESS, 'scratch')).resolves.toEqual(DOCUMENT);
  });

  it('fails for good on a group IAM does not have', async () => {
    const missing: ProposalTarget = { ...GLUE_ACCESS, name: 'NoSuchGroup', arn: null };
    await expect(writer.putInlinePolicy(missing, POLICY_NAME, DOCUMENT)).rejects.toThrow(AwsCallError);
    await expect(writer.getInlinePolicy(missing, POLICY_NAME)).resolves.toBeNull();
  });
});
