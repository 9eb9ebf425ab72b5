import { iamActionFor, operationName } from '../../../lambda/core/denial';

describe('iamActionFor', () => {
  it.each([
    ['glue.amazonaws.com', 'UpdateJob', 'glue:UpdateJob'],
    ['lambda.amazonaws.com', 'CreateFunction20150331', 'lambda:CreateFunction'],
    ['lambda.amazonaws.com', 'UpdateFunctionConfiguration20150331v2', 'lambda:UpdateFunctionConfiguration'],
    ['cloudfront.amazonaws.com', 'CreateDistribution2020_05_31', 'cloudfront:CreateDistribution'],
    ['monitoring.amazonaws.com', 'PutMetricStream', 'cloudwatch:PutMetricStream'],
    [
      'email.amazonaws.com',
      'CreateConfigurationSetEventDestination',
      'ses:CreateConfigurationSetEventDestination',
    ],
    ['streams.dynamodb.amazonaws.com', 'DescribeStream', 'dynamodb:DescribeStream'],
    ['states.amazonaws.com', 'CreateStateMachine', 'states:CreateStateMachine'],
    ['elasticmapreduce.amazonaws.com', 'RunJobFlow', 'elasticmapreduce:RunJobFlow'],
    ['s3.amazonaws.com', 'PutBucketReplication', 's3:PutReplicationConfiguration'],
    ['ec2.amazonaws.com.cn', 'RunInstances', 'ec2:RunInstances'],
  ])('(%s, %s) -> %s', (eventSource, eventName, action) => {
    expect(iamActionFor(eventSource, eventName)).toBe(action);
  });
});

describe('operationName', () => {
  it('strips API version suffixes and keeps names that are only digits or have none', () => {
    expect(operationName('GetFunction20150331v2')).toBe('GetFunction');
    expect(operationName('RunInstances')).toBe('RunInstances');
    expect(operationName('20150331')).toBe('20150331');
  });
});
