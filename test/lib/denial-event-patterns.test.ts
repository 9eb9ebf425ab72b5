import { listRolePassingOperations } from '../../lambda/core/denial/passrole-apis';
import {
  EC2_ROLE_PASSING_EVENT_NAMES,
  PASSROLE_DENIAL_EVENT_PATTERN,
  passRoleDenialEventPatternJson,
} from '../../lib/denial-event-patterns';

describe('the denial event pattern', () => {
  it('is the documented pattern, in PutRule wire format', () => {
    expect(JSON.parse(passRoleDenialEventPatternJson())).toEqual({
      source: [{ prefix: 'aws.' }],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        $or: [
          {
            errorCode: [{ prefix: 'AccessDenied' }, 'Client.UnauthorizedOperation', 'UnauthorizedOperation'],
            errorMessage: [{ wildcard: '*iam:PassRole*' }],
          },
          {
            eventSource: ['ec2.amazonaws.com'],
            eventName: [
              'RunInstances',
              'AssociateIamInstanceProfile',
              'ReplaceIamInstanceProfileAssociation',
              'RequestSpotInstances',
              'RequestSpotFleet',
              'RunScheduledInstances',
              'CreateFleet',
              'CreateFlowLogs',
            ],
            errorCode: ['Client.UnauthorizedOperation', 'UnauthorizedOperation'],
          },
          {
            errorCode: [{ prefix: 'AccessDenied' }],
            errorMessage: [{ prefix: 'Cross-account pass role' }],
          },
        ],
      },
    });
  });

  it('routes every EC2 call the diagnosis knows to pass a role, whose message may be encoded only', () => {
    const ec2Operations = listRolePassingOperations()
      .filter(({ eventSource }) => eventSource === 'ec2.amazonaws.com')
      .map(({ operation }) => operation);
    expect(ec2Operations.length).toBeGreaterThan(0);
    expect(EC2_ROLE_PASSING_EVENT_NAMES).toEqual(expect.arrayContaining(ec2Operations));
  });

  it('keeps within the limits EventBridge puts on a pattern', () => {
    // EventBridge rejects patterns over 4096 characters (PutRule EventPattern) and wildcard
    // patterns with more than one consecutive "*" run; the exported pattern stays well inside.
    expect(passRoleDenialEventPatternJson().length).toBeLessThan(4096);
    expect(PASSROLE_DENIAL_EVENT_PATTERN.detail.$or[0].errorMessage[0].wildcard).not.toMatch(/\*\*/);
  });
});
