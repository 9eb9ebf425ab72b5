/**
 * The EventBridge patterns that pick iam:PassRole denials out of CloudTrail's management events.
 *
 * Plain data in EventBridge's wire format (what PutRule takes), so the CDK rule, the forwarder rules
 * and the emulator test all use the very same pattern.
 */

/** The detail-type EventBridge gives every CloudTrail management event. */
export const CLOUDTRAIL_API_CALL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/** The error codes a denial carries: AccessDenied*, and EC2's two spellings of an unauthorized call. */
export const DENIAL_ERROR_CODES = [
  { prefix: 'AccessDenied' },
  'Client.UnauthorizedOperation',
  'UnauthorizedOperation',
] as const;

/**
 * EC2 calls that hand an instance profile (or a fleet role) to EC2. EC2 may answer them with only
 * "Encoded authorization failure message: <blob>", which says nothing about PassRole until decoded, so
 * they are routed on the call alone and the function decodes and classifies them.
 */
export const EC2_ROLE_PASSING_EVENT_NAMES = [
  'RunInstances',
  'AssociateIamInstanceProfile',
  'ReplaceIamInstanceProfileAssociation',
  'RequestSpotInstances',
  'RequestSpotFleet',
  'RunScheduledInstances',
  'CreateFleet',
  'CreateFlowLogs',
] as const;

export const EC2_UNAUTHORIZED_ERROR_CODES = [
  'Client.UnauthorizedOperation',
  'UnauthorizedOperation',
] as const;

/** A denial whose message names iam:PassRole, from any service. */
export const PASSROLE_MESSAGE_DENIAL = {
  errorCode: DENIAL_ERROR_CODES,
  errorMessage: [{ wildcard: '*iam:PassRole*' }],
} as const;

/** An EC2 role-passing call refused with UnauthorizedOperation, whatever its (possibly encoded) message. */
export const EC2_ROLE_PASSING_DENIAL = {
  eventSource: ['ec2.amazonaws.com'],
  eventName: EC2_ROLE_PASSING_EVENT_NAMES,
  errorCode: EC2_UNAUTHORIZED_ERROR_CODES,
} as const;

/**
 * Lambda (and others) refuse a role of another account with "Cross-account pass role is not allowed.",
 * a PassRole denial whose message never says iam:PassRole.
 */
export const CROSS_ACCOUNT_PASSROLE_DENIAL = {
  errorCode: [{ prefix: 'AccessDenied' }],
  errorMessage: [{ prefix: 'Cross-account pass role' }],
} as const;

/**
 * The one pattern of the denial rule. `$or` rather than two rules: an EC2 denial that also names
 * iam:PassRole in plain text then reaches the queue once, not twice.
 */
export const PASSROLE_DENIAL_EVENT_PATTERN = {
  // Only AWS services can put events with an aws.* source; anyone allowed events:PutEvents can put
  // this detail-type with a source of their own, and forge a denial that would reach the team channel.
  source: [{ prefix: 'aws.' }],
  'detail-type': [CLOUDTRAIL_API_CALL_DETAIL_TYPE],
  detail: {
    $or: [PASSROLE_MESSAGE_DENIAL, EC2_ROLE_PASSING_DENIAL, CROSS_ACCOUNT_PASSROLE_DENIAL],
  },
} as const;

/** The pattern as PutRule's EventPattern string. */
export function passRoleDenialEventPatternJson(): string {
  return JSON.stringify(PASSROLE_DENIAL_EVENT_PATTERN);
}
