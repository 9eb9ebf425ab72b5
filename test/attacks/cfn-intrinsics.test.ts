/**
 * The attack suite's own machinery: the intrinsic resolver and the policy extraction give the values
 * a deployment would (a wrong ARN would make every resource-policy attack miss its policy).
 */
import { IntrinsicResolver, type CfnTemplate } from './support/cfn-intrinsics';
import { extractPolicies } from './support/resource-policies';

const DEPLOYMENT = { account: '111122223333', region: 'eu-west-1', partition: 'aws', stackName: 'Demo' };

const TEMPLATE: CfnTemplate = {
  Parameters: { Version: { Default: '/cdk-bootstrap/version' } },
  Conditions: { InIreland: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] } },
  Resources: {
    Topic: { Type: 'AWS::SNS::Topic' },
    Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'routing' } },
    Fn: { Type: 'AWS::Lambda::Function' },
    Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'demo-events' } },
    Rule: { Type: 'AWS::Events::Rule', Properties: { EventBusName: { Ref: 'Bus' } } },
    QueuePolicy: {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [{ Ref: 'Queue' }],
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 'sqs:SendMessage',
              Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] },
              Condition: { ArnNotEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['Rule', 'Arn'] } } },
            },
          ],
        },
      },
    },
    Permission: {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': ['Fn', 'Arn'] },
        Principal: 'apigateway.amazonaws.com',
        SourceArn: { 'Fn::Sub': 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:abc/*' },
      },
    },
  },
};

describe('IntrinsicResolver', () => {
  const resolver = new IntrinsicResolver(TEMPLATE, DEPLOYMENT);

  it('resolves pseudo parameters, Fn::Join, Fn::Sub with variables and Fn::If', () => {
    expect(
      resolver.resolve({
        'Fn::Join': [
          ':',
          ['arn', { Ref: 'AWS::Partition' }, { 'Fn::Sub': ['${A}-${Topic.TopicName}', { A: 'x' }] }],
        ],
      }),
    ).toBe('arn:aws:x-Demo-Topic');
    expect(resolver.resolve({ 'Fn::If': ['InIreland', 'yes', 'no'] })).toBe('yes');
    expect(resolver.resolve({ Ref: 'Version' })).toBe('/cdk-bootstrap/version');
    expect(resolver.resolve({ a: { Ref: 'AWS::NoValue' }, b: 1 })).toEqual({ b: 1 });
  });

  it('gives each resource type its ARN format, a named resource its name', () => {
    expect(resolver.resolve({ Ref: 'Topic' })).toBe('arn:aws:sns:eu-west-1:111122223333:Demo-Topic');
    expect(resolver.resolve({ Ref: 'Queue' })).toBe(
      'https://sqs.eu-west-1.amazonaws.com/111122223333/routing',
    );
    expect(resolver.arnOf('Queue')).toBe('arn:aws:sqs:eu-west-1:111122223333:routing');
    expect(resolver.resolve({ 'Fn::GetAtt': 'Rule.Arn' })).toBe(
      'arn:aws:events:eu-west-1:111122223333:rule/demo-events/Demo-Rule',
    );
  });

  it('refuses what it does not know instead of guessing an ARN', () => {
    expect(() => resolver.resolve({ 'Fn::GetAtt': ['Topic', 'Nonsense'] })).toThrow(/not known/);
    expect(() => resolver.resolve({ 'Fn::ImportValue': 'x' })).toThrow(/not supported/);
  });
});

describe('extractPolicies', () => {
  it("finds each resource's policy under the ARN it guards, Lambda permissions as a statement", () => {
    const { resourcePolicies } = extractPolicies(TEMPLATE, new IntrinsicResolver(TEMPLATE, DEPLOYMENT));
    expect(resourcePolicies.get('Queue')).toMatchObject({
      kind: 'queue',
      resourceArn: 'arn:aws:sqs:eu-west-1:111122223333:routing',
      document: {
        Statement: [
          {
            Effect: 'Deny',
            Condition: {
              ArnNotEquals: {
                'aws:SourceArn': 'arn:aws:events:eu-west-1:111122223333:rule/demo-events/Demo-Rule',
              },
            },
          },
        ],
      },
    });
    expect(resourcePolicies.get('Fn')?.document.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'apigateway.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: 'arn:aws:lambda:eu-west-1:111122223333:function:Demo-Fn',
        Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:execute-api:eu-west-1:111122223333:abc/*' } },
      },
    ]);
  });
});
