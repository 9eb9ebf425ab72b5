/** The denied API call as an IAM action. */

/** Event sources whose IAM service prefix is not the host's first label. */
const IAM_PREFIX_BY_EVENT_SOURCE: Readonly<Record<string, string>> = {
  monitoring: 'cloudwatch',
  email: 'ses',
  'streams.dynamodb': 'dynamodb',
  tagging: 'tag',
  'models.lex': 'lex',
  'runtime.lex': 'lex',
  'runtime.sagemaker': 'sagemaker',
};

/** Calls whose IAM action is named differently from the API operation. */
const IAM_ACTION_BY_OPERATION: Readonly<Record<string, string>> = {
  's3:PutBucketReplication': 's3:PutReplicationConfiguration',
  's3:GetBucketReplication': 's3:GetReplicationConfiguration',
  's3:DeleteBucketReplication': 's3:PutReplicationConfiguration',
  's3:PutBucketLifecycleConfiguration': 's3:PutLifecycleConfiguration',
  's3:PutBucketNotificationConfiguration': 's3:PutBucketNotification',
};

/** The service's short name from an event source: 'glue.amazonaws.com' -> 'glue'. */
export function eventSourceService(eventSource: string): string {
  return eventSource
    .trim()
    .toLowerCase()
    .replace(/\.amazonaws\.com(\.cn)?$/, '');
}

/**
 * The operation without the API version some services append to CloudTrail event names:
 * Lambda 'CreateFunction20150331', 'UpdateFunctionConfiguration20150331v2'; CloudFront
 * 'CreateDistribution2020_05_31'.
 */
export function operationName(eventName: string): string {
  const stripped = eventName.trim().replace(/(?:\d{8}(?:v\d+)?|\d{4}_\d{2}_\d{2})$/, '');
  return stripped.length > 0 ? stripped : eventName.trim();
}

/** The IAM prefix for an event source: 'monitoring.amazonaws.com' -> 'cloudwatch'. */
export function iamPrefixFor(eventSource: string): string {
  const service = eventSourceService(eventSource);
  return IAM_PREFIX_BY_EVENT_SOURCE[service] ?? service;
}

/** The denied call as an IAM action: ('lambda.amazonaws.com','CreateFunction20150331') -> 'lambda:CreateFunction'. */
export function iamActionFor(eventSource: string, eventName: string): string {
  const action = `${iamPrefixFor(eventSource)}:${operationName(eventName)}`;
  return IAM_ACTION_BY_OPERATION[action] ?? action;
}
