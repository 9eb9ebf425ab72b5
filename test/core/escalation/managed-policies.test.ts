/**
 * AWS's real managed policies (copied from moto's aws_managed_policies.py) as the passed role, against a
 * modest developer who reads logs and works on one bucket. The expected levels follow the rules.
 */
import { analyseEscalation } from '../../../lambda/core/escalation/analyse';
import type { EscalationAnalysis, GainCategory } from '../../../lambda/core/escalation/model';
import { awsManaged, inputs, modestUser, role } from './support';

function analyseManaged(name: string): EscalationAnalysis {
  const passed = role(`runs-with-${name}`, { attachedPolicies: [awsManaged(name)] });
  return analyseEscalation(inputs(passed, [modestUser()]), { ownResourceArns: [] });
}

function categories(result: EscalationAnalysis): GainCategory[] {
  return result.gains.map((gain) => gain.category);
}

function actionsOf(result: EscalationAnalysis, category: GainCategory): string[] {
  return result.gains.find((gain) => gain.category === category)?.actions ?? [];
}

describe('escalation of AWS managed policies against a modest developer', () => {
  it('AdministratorAccess is admin', () => {
    const result = analyseManaged('AdministratorAccess');
    expect(result.level).toBe('admin');
    expect(result.comparedWith).toBe('arn:aws:iam::123456789012:user/dev');
    expect(result.gains[0]).toMatchObject({
      category: 'admin',
      policy: 'arn:aws:iam::aws:policy/AdministratorAccess',
      statement: '0',
    });
    expect(categories(result)).toEqual(expect.arrayContaining(['iam-write', 'code-execution', 'secrets']));
  });

  it('PowerUserAccess is admin: its NotAction leaves out only iam, organizations and account', () => {
    const result = analyseManaged('PowerUserAccess');
    expect(result.level).toBe('admin');
    expect(actionsOf(result, 'code-execution')).toEqual(
      expect.arrayContaining(['lambda:UpdateFunctionCode', 'ssm:SendCommand']),
    );
    expect(actionsOf(result, 'secrets')).toContain('secretsmanager:GetSecretValue');
    // What it leaves out is not claimed: no IAM policy writes, no Organizations writes.
    expect(actionsOf(result, 'iam-write')).not.toContain('iam:PutRolePolicy');
    expect(categories(result)).not.toContain('organizations-write');
  });

  it('ReadOnlyAccess is sensitive: ssm:GetParameter* on every parameter', () => {
    const result = analyseManaged('ReadOnlyAccess');
    expect(result.level).toBe('sensitive');
    expect(actionsOf(result, 'secrets')).toEqual(
      expect.arrayContaining(['ssm:GetParameter', 'ssm:GetParameters']),
    );
    expect(actionsOf(result, 'secrets')).not.toContain('secretsmanager:GetSecretValue');
    expect(categories(result)).not.toContain('code-execution');
  });

  it('IAMFullAccess is sensitive: IAM writes', () => {
    const result = analyseManaged('IAMFullAccess');
    expect(result.level).toBe('sensitive');
    expect(actionsOf(result, 'iam-write')).toEqual(
      expect.arrayContaining(['iam:PassRole', 'iam:PutRolePolicy']),
    );
  });

  it('AWSLambda_FullAccess is sensitive: rewriting and creating functions, with iam:PassRole', () => {
    const result = analyseManaged('AWSLambda_FullAccess');
    expect(result.level).toBe('sensitive');
    expect(actionsOf(result, 'code-execution')).toEqual(
      expect.arrayContaining(['lambda:UpdateFunctionCode', 'lambda:CreateFunction', 'lambda:InvokeFunction']),
    );
  });

  it('AmazonS3FullAccess is sensitive: writes to every bucket', () => {
    const result = analyseManaged('AmazonS3FullAccess');
    expect(result.level).toBe('sensitive');
    expect(actionsOf(result, 'data-write')).toEqual(
      expect.arrayContaining(['s3:PutObject', 's3:DeleteObject']),
    );
    expect(categories(result)).not.toContain('code-execution');
  });

  it('AWSGlueServiceRole is sensitive: glue:* on * updates any job (code as its role)', () => {
    const result = analyseManaged('AWSGlueServiceRole');
    expect(result.level).toBe('sensitive');
    expect(actionsOf(result, 'code-execution')).toContain('glue:UpdateJob');
    expect(result.gains.find((gain) => gain.category === 'code-execution')?.policy).toBe(
      'arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole',
    );
  });

  it('AWSGlueConsoleFullAccess is sensitive: Glue jobs and EC2 instances created under a passed role', () => {
    const result = analyseManaged('AWSGlueConsoleFullAccess');
    expect(result.level).toBe('sensitive');
    expect(actionsOf(result, 'code-execution')).toEqual(
      expect.arrayContaining(['ec2:RunInstances', 'glue:CreateJob']),
    );
    expect(actionsOf(result, 'iam-write')).toContain('iam:PassRole');
  });
});
