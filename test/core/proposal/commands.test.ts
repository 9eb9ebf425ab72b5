import { applyCommand, shellQuote, verifyCommand } from '../../../lambda/core/proposal/commands';

describe('CLI commands for people who apply by hand', () => {
  it('quotes anything a shell would interpret', () => {
    expect(shellQuote('GlueAccess')).toBe('GlueAccess');
    expect(shellQuote("it's $(rm -rf /)")).toBe(`'it'\\''s $(rm -rf /)'`);
  });

  it('writes put-group-policy with the exact document', () => {
    const document = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow' as const, Action: 'iam:PassRole', Resource: 'arn:aws:iam::1:role/r' }],
    };
    expect(
      applyCommand(
        { type: 'group', name: 'GlueAccess', arn: null, memberCount: 2 },
        'AllowPassRToGlue',
        document,
      ),
    ).toBe(
      `aws iam put-group-policy --group-name GlueAccess --policy-name AllowPassRToGlue --policy-document '${JSON.stringify(document)}'`,
    );
    expect(
      applyCommand({ type: 'permission-set', name: 'PS', arn: null, memberCount: null }, 'X', document),
    ).toBeNull();
  });

  it('writes simulate-principal-policy with typed context entries', () => {
    const command = verifyCommand('arn:aws:iam::1:user/mei', 'arn:aws:iam::1:role/r', {
      'iam:PassedToService': 'glue.amazonaws.com',
      'aws:MultiFactorAuthPresent': 'true',
      'aws:SourceIp': '198.51.100.24',
      'aws:CurrentTime': '2026-06-17T02:04:37Z',
    });
    expect(command).toBe(
      'aws iam simulate-principal-policy --policy-source-arn arn:aws:iam::1:user/mei --action-names iam:PassRole --resource-arns arn:aws:iam::1:role/r ' +
        '--context-entries ContextKeyName=iam:PassedToService,ContextKeyValues=glue.amazonaws.com,ContextKeyType=string ' +
        'ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues=true,ContextKeyType=boolean ' +
        'ContextKeyName=aws:SourceIp,ContextKeyValues=198.51.100.24,ContextKeyType=ip',
    );
  });
});
