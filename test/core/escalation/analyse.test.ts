import { analyseEscalation } from '../../../lambda/core/escalation/analyse';
import type {
  EscalationAnalysis,
  EscalationOptions,
  GainCategory,
} from '../../../lambda/core/escalation/model';
import type { PolicyStatement } from '../../../lambda/core/model';
import {
  ACCOUNT,
  awsManaged,
  customer,
  doc,
  group,
  inputs,
  modestUser,
  role,
  seedInputs,
  user,
} from './support';

const OPTIONS: EscalationOptions = { ownResourceArns: [] };

const inline = (name: string, ...statements: PolicyStatement[]) => ({ name, document: doc(...statements) });

const roleWith = (...statements: PolicyStatement[]) =>
  role('passed', { inlinePolicies: [inline('Work', ...statements)] });

const userWith = (name: string, ...statements: PolicyStatement[]) =>
  user(name, { inlinePolicies: [inline('Own', ...statements)] });

function categories(result: EscalationAnalysis): GainCategory[] {
  return result.gains.map((gain) => gain.category);
}

function gainedActions(result: EscalationAnalysis): string[] {
  return result.gains.flatMap((gain) => gain.actions);
}

describe('analyseEscalation', () => {
  describe('the seed scenario', () => {
    it('is contained: the role reads one bucket and writes another, which GlueAccess does not cover', async () => {
      const result = analyseEscalation(await seedInputs(), OPTIONS);
      expect(result.kind).toBe('analysed');
      expect(result.level).toBe('contained');
      // Both members hold the same policies; the first by ARN is the one compared.
      expect(result.comparedWith).toBe(`arn:aws:iam::${ACCOUNT}:user/li.wei`);
      // s3:ListBucket is covered by AWSGlueConsoleFullAccess (on *); the Developers MFA Deny also denies
      // passing the role, so it cannot make the role's access new.
      expect(result.gains).toEqual([
        { category: 'other', actions: ['s3:PutObject', 's3:GetObject'], policy: 'EtlData', statement: null },
      ]);
      expect(result.exposure).toEqual([]);
    });
  });

  describe('nothing new', () => {
    it('is none when the role is a subset of the least-privileged member', () => {
      const passed = roleWith(
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: 'arn:aws:s3:::raw/*' },
        {
          Effect: 'Allow',
          Action: 'logs:GetLogEvents',
          Resource: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:etl:*`,
        },
      );
      const member = userWith(
        'member',
        { Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::*' },
        { Effect: 'Allow', Action: 's3:List*', Resource: '*' },
        { Effect: 'Allow', Action: 'logs:*', Resource: '*' },
      );
      const result = analyseEscalation(inputs(passed, [member]), OPTIONS);
      expect(result).toMatchObject({ kind: 'analysed', level: 'none', gains: [], comparedWith: member.arn });
    });

    it('is none when the gainer is itself an administrator', () => {
      const admin = user('admin', { attachedPolicies: [awsManaged('AdministratorAccess')] });
      const passed = role('ops', { attachedPolicies: [awsManaged('PowerUserAccess')] });
      expect(analyseEscalation(inputs(passed, [admin]), OPTIONS).level).toBe('none');
    });

    it('is at least contained when something could not be read', () => {
      const passed = roleWith({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::raw/*' });
      const member = userWith('member', { Effect: 'Allow', Action: 's3:*', Resource: '*' });
      const result = analyseEscalation(
        inputs(passed, [member], { notes: ['the bucket policies were not read'] }),
        OPTIONS,
      );
      expect(result.level).toBe('contained');
      expect(result.gains).toEqual([]);
      expect(result.exposure).toEqual(['not known: the bucket policies were not read']);
    });
  });

  describe('resources', () => {
    it('counts access to resources the gainer cannot reach, and not to those it can', () => {
      const passed = roleWith({
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: ['arn:aws:s3:::team-bucket/reports/*', 'arn:aws:s3:::other-bucket/*'],
      });
      const result = analyseEscalation(inputs(passed, [modestUser()]), OPTIONS);
      expect(result.level).toBe('contained');
      expect(result.gains).toEqual([
        { category: 'other', actions: ['s3:PutObject'], policy: 'Work', statement: '0' },
      ]);

      const scoped = roleWith({
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::team-bucket/reports/*',
      });
      expect(analyseEscalation(inputs(scoped, [modestUser()]), OPTIONS).level).toBe('none');
    });

    it('reads NotResource as everything else: writes to all other buckets are sensitive', () => {
      const passed = roleWith({
        Effect: 'Allow',
        Action: 's3:PutObject',
        NotResource: 'arn:aws:s3:::audit-logs/*',
      });
      const result = analyseEscalation(inputs(passed, [modestUser()]), OPTIONS);
      expect(result.level).toBe('sensitive');
      expect(categories(result)).toEqual(['data-write']);

      // Everything but less than the role leaves out covers it; everything but more does not.
      const writer = userWith('writer', {
        Effect: 'Allow',
        Action: 's3:PutObject',
        NotResource: 'arn:aws:s3:::audit-logs/legal-hold/*',
      });
      expect(analyseEscalation(inputs(passed, [writer]), OPTIONS).level).toBe('none');
      const narrower = userWith('narrower', {
        Effect: 'Allow',
        Action: 's3:PutObject',
        NotResource: 'arn:aws:s3:::audit-*',
      });
      expect(analyseEscalation(inputs(passed, [narrower]), OPTIONS).level).toBe('sensitive');
    });

    it('grants a wildcard-only action only through a Resource that admits *', () => {
      const passed = roleWith({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::team-bucket/*' });
      const result = analyseEscalation(inputs(passed, [modestUser()]), OPTIONS);
      expect(result.level).toBe('none');
    });

    it('resolves ${aws:username} for a gainer that is a user', () => {
      const passed = roleWith({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::home/mei/*',
      });
      const mei = userWith('mei', {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::home/${aws:username}/*',
      });
      const li = userWith('li', {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::home/${aws:username}/*',
      });
      expect(analyseEscalation(inputs(passed, [mei]), OPTIONS).level).toBe('none');
      expect(analyseEscalation(inputs(passed, [li]), OPTIONS).level).toBe('contained');
    });
  });

  describe('conditions', () => {
    const conditioned: PolicyStatement = {
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
    };

    it('still counts a conditioned Allow of the role as a possible gain', () => {
      const result = analyseEscalation(inputs(roleWith(conditioned), [modestUser()]), OPTIONS);
      expect(result.level).toBe('sensitive');
      expect(result.gains).toEqual([
        { category: 'secrets', actions: ['secretsmanager:GetSecretValue'], policy: 'Work', statement: '0' },
      ]);
    });

    it('takes a gainer Allow under the same condition as covering it, and a different condition not', () => {
      const same = userWith('same', conditioned);
      expect(analyseEscalation(inputs(roleWith(conditioned), [same]), OPTIONS).level).toBe('none');
      const other = userWith('other', {
        ...conditioned,
        Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
      });
      expect(analyseEscalation(inputs(roleWith(conditioned), [other]), OPTIONS).level).toBe('sensitive');
    });

    it('does not take a gainer Allow on R’s ARN as covering R', () => {
      const onArn: PolicyStatement = {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/passed` } },
      };
      const copycat = userWith('copycat', onArn);
      expect(analyseEscalation(inputs(roleWith(onArn), [copycat]), OPTIONS).level).toBe('sensitive');
    });

    it('does not let a conditioned Deny of the role hide its access, but lets one on its own ARN', () => {
      const allow: PolicyStatement = { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: '*' };
      const maybeDenied = roleWith(allow, {
        Effect: 'Deny',
        Action: 'dynamodb:*',
        Resource: '*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
      expect(analyseEscalation(inputs(maybeDenied, [modestUser()]), OPTIONS).level).toBe('sensitive');
      const surelyDenied = roleWith(allow, {
        Effect: 'Deny',
        Action: 'dynamodb:*',
        Resource: '*',
        Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/pass*` } },
      });
      expect(analyseEscalation(inputs(surelyDenied, [modestUser()]), OPTIONS).level).toBe('none');
    });

    it('counts what a conditioned Deny of the gainer may take away', () => {
      const passed = roleWith({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::team-bucket/*',
      });
      const regional = user('regional', {
        inlinePolicies: modestUser().inlinePolicies,
        attachedPolicies: [
          customer('OnlyEurope', {
            Effect: 'Deny',
            NotAction: 'iam:*',
            Resource: '*',
            Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
          }),
        ],
      });
      expect(analyseEscalation(inputs(passed, [regional]), OPTIONS).level).toBe('contained');
    });
  });

  describe('boundaries and SCPs', () => {
    it('keeps the role within its permissions boundary', () => {
      const passed = role('bounded', {
        attachedPolicies: [awsManaged('AdministratorAccess')],
        permissionsBoundary: customer('EtlBoundary', {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: 'arn:aws:s3:::etl-*/*',
        }),
      });
      const result = analyseEscalation(inputs(passed, [modestUser()]), OPTIONS);
      expect(result.level).toBe('contained');
      expect(gainedActions(result)).toEqual(['s3:PutObject', 's3:GetObject']);
    });

    it('keeps the gainer within its boundary too', () => {
      const passed = roleWith({
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: `arn:aws:sqs:*:${ACCOUNT}:jobs`,
      });
      const bounded = user('bounded', {
        attachedPolicies: [awsManaged('AdministratorAccess')],
        permissionsBoundary: customer('ReadOnlyBoundary', {
          Effect: 'Allow',
          Action: 'sqs:Get*',
          Resource: '*',
        }),
      });
      expect(analyseEscalation(inputs(passed, [bounded]), OPTIONS).level).toBe('contained');
    });

    it('counts an SCP exception on aws:PrincipalArn that names the role as a gain', () => {
      const scps = [
        [{ name: 'FullAWSAccess', document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) }],
        [
          { name: 'FullAWSAccess', document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) },
          {
            name: 'ProtectIam',
            document: doc({
              Sid: 'OnlyPlatformChangesIam',
              Effect: 'Deny',
              Action: 'iam:*',
              Resource: '*',
              Condition: { ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/platform-*` } },
            }),
          },
        ],
      ];
      const iamAdmin = user('iam-admin', { attachedPolicies: [awsManaged('IAMFullAccess')] });
      const exempt = role('platform-deployer', { attachedPolicies: [awsManaged('IAMFullAccess')] });
      const result = analyseEscalation(inputs(exempt, [iamAdmin], { scps }), OPTIONS);
      expect(result.level).toBe('sensitive');
      expect(categories(result)).toContain('iam-write');
      expect(result.exposure).toEqual([
        `arn:aws:iam::${ACCOUNT}:role/platform-deployer is exempt from SCP ProtectIam, statement OnlyPlatformChangesIam`,
      ]);

      const notExempt = role('app-deployer', { attachedPolicies: [awsManaged('IAMFullAccess')] });
      expect(analyseEscalation(inputs(notExempt, [iamAdmin], { scps }), OPTIONS).level).toBe('none');
    });

    it('removes what the SCPs deny everyone', () => {
      const scps = [
        [
          { name: 'FullAWSAccess', document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) },
          {
            name: 'NoIam',
            document: doc({ Effect: 'Deny', Action: ['iam:*', 'organizations:*'], Resource: '*' }),
          },
        ],
      ];
      const passed = role('iam', { attachedPolicies: [awsManaged('IAMFullAccess')] });
      expect(analyseEscalation(inputs(passed, [modestUser()], { scps }), OPTIONS).level).toBe('none');
    });
  });

  describe('trust chains', () => {
    const trusting = (name: string, principal: string, ...attached: ReturnType<typeof awsManaged>[]) =>
      role(name, {
        trustPolicy: doc({ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }),
        attachedPolicies: attached,
      });

    it('makes a role admin when it can assume an administrator role', () => {
      const passed = roleWith({
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: `arn:aws:iam::${ACCOUNT}:role/break-glass`,
      });
      const admin = trusting(
        'break-glass',
        `arn:aws:iam::${ACCOUNT}:role/passed`,
        awsManaged('AdministratorAccess'),
      );
      const result = analyseEscalation(inputs(passed, [modestUser()], { trustingRoles: [admin] }), OPTIONS);
      expect(result.level).toBe('admin');
      expect(result.exposure).toEqual([
        `arn:aws:iam::${ACCOUNT}:role/passed can assume arn:aws:iam::${ACCOUNT}:role/break-glass, which is effectively an administrator`,
      ]);
      expect(result.gains[0]?.policy).toBeNull();
    });

    it('names the role R becomes in the gains it brings', () => {
      const passed = roleWith({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::team-bucket/*',
      });
      const vault = role('vault-reader', {
        trustPolicy: doc({ Effect: 'Allow', Principal: { AWS: passed.arn }, Action: 'sts:AssumeRole' }),
        inlinePolicies: [
          inline('Vault', {
            Sid: 'Secrets',
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: '*',
          }),
        ],
      });
      const result = analyseEscalation(inputs(passed, [modestUser()], { trustingRoles: [vault] }), OPTIONS);
      expect(result.level).toBe('sensitive');
      expect(result.gains).toEqual([
        {
          category: 'secrets',
          actions: ['secretsmanager:GetSecretValue'],
          policy: `Vault (via ${vault.arn})`,
          statement: 'Secrets',
        },
      ]);
      expect(result.exposure).toEqual([`${passed.arn} can assume ${vault.arn}`]);
    });

    it('needs the role to be allowed sts:AssumeRole when the trust names only the account', () => {
      const admin = trusting(
        'break-glass',
        `arn:aws:iam::${ACCOUNT}:root`,
        awsManaged('AdministratorAccess'),
      );
      const cannot = roleWith({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::team-bucket/*',
      });
      const result = analyseEscalation(inputs(cannot, [modestUser()], { trustingRoles: [admin] }), OPTIONS);
      expect(result.level).toBe('none');
      expect(result.exposure).toEqual([]);
    });

    it('counts sts:AssumeRole on every role as sensitive, on one named role not', () => {
      const any = roleWith({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' });
      expect(categories(analyseEscalation(inputs(any, [modestUser()]), OPTIONS))).toEqual(['assume-role']);
      const named = roleWith({
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: `arn:aws:iam::${ACCOUNT}:role/reader`,
      });
      expect(analyseEscalation(inputs(named, [modestUser()]), OPTIONS).level).toBe('contained');
    });
  });

  describe('who is compared', () => {
    it('compares with the member who lacks what another has', () => {
      const passed = roleWith({
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: `arn:aws:dynamodb:*:${ACCOUNT}:table/orders`,
      });
      const reader = userWith('reader', { Effect: 'Allow', Action: 'dynamodb:Get*', Resource: '*' });
      const newcomer = user('newcomer', { groups: [group('Engineers')] });
      const result = analyseEscalation(inputs(passed, [reader, newcomer]), OPTIONS);
      expect(result.comparedWith).toBe(newcomer.arn);
      expect(result.level).toBe('contained');
      expect(gainedActions(result)).toEqual(['dynamodb:GetItem']);
    });

    it('compares with the member whose gains are the most serious', () => {
      const passed = roleWith(
        { Effect: 'Allow', Action: 'ssm:SendCommand', Resource: '*' },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::data/*' },
      );
      const operator = userWith('operator', { Effect: 'Allow', Action: 'ssm:*', Resource: '*' });
      const analyst = userWith('analyst', { Effect: 'Allow', Action: 's3:*', Resource: '*' });
      const result = analyseEscalation(inputs(passed, [operator, analyst]), OPTIONS);
      expect(result.comparedWith).toBe(analyst.arn);
      expect(result.level).toBe('sensitive');
      expect(categories(result)).toEqual(['code-execution']);
    });

    it('compares a role target with the role', () => {
      const passed = roleWith({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' });
      const target = role('ci', {
        inlinePolicies: [inline('Ci', { Effect: 'Allow', Action: 'kms:*', Resource: '*' })],
      });
      const result = analyseEscalation(inputs(passed, [target]), OPTIONS);
      expect(result).toMatchObject({ level: 'none', comparedWith: target.arn });
    });

    it('compares an empty group with no permissions at all', () => {
      const passed = roleWith({ Effect: 'Allow', Action: 'logs:GetLogEvents', Resource: '*' });
      const result = analyseEscalation(inputs(passed, []), OPTIONS);
      expect(result).toMatchObject({ level: 'contained', comparedWith: null });
    });
  });

  describe('own resources', () => {
    it('counts access to this deployment’s own resources as sensitive', () => {
      const table = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/passrole-doctor-proposals`;
      const passed = roleWith({
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: `arn:aws:dynamodb:*:${ACCOUNT}:table/passrole-*`,
      });
      const result = analyseEscalation(inputs(passed, [modestUser()]), { ownResourceArns: [table] });
      expect(result.level).toBe('sensitive');
      expect(result.gains).toEqual([
        { category: 'own-resources', actions: ['dynamodb:GetItem'], policy: 'Work', statement: '0' },
      ]);
      const elsewhere = analyseEscalation(inputs(passed, [modestUser()]), {
        ownResourceArns: [`arn:aws:sqs:eu-west-1:${ACCOUNT}:passrole-doctor-routing`],
      });
      expect(elsewhere.level).toBe('contained');
    });
  });

  describe('actions the authorization data does not know', () => {
    it('analyses them too, so a newer service is not ignored', () => {
      const passed = roleWith({ Effect: 'Allow', Action: 'brandnewservice:DeleteEverything', Resource: '*' });
      const result = analyseEscalation(inputs(passed, [modestUser()]), OPTIONS);
      expect(result.level).toBe('contained');
      expect(gainedActions(result)).toEqual(['brandnewservice:DeleteEverything']);
    });
  });

  describe('unknown', () => {
    it('is unknown, never approvable, when the role does not exist', () => {
      const result = analyseEscalation(inputs(null, [modestUser()]), OPTIONS);
      expect(result).toEqual({
        kind: 'unknown',
        level: null,
        comparedWith: null,
        gains: [],
        exposure: [],
        reason: `the role arn:aws:iam::${ACCOUNT}:role/missing does not exist`,
        fingerprint: null,
      });
    });
  });
});
