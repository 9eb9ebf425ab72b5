/**
 * The denial reader: CloudTrail input (a record, an EventBridge event or a log file) -> iam:PassRole
 * denials, or a reasoned not-applicable/invalid outcome. Pure: EC2's encoded authorization messages are
 * listed by encodedAuthorizationMessages for the caller to decode and hand back in ReadOptions.
 */
export { readDenials, readDeliveries, encodedAuthorizationMessages } from './read-denials';
export type { Delivery } from './read-denials';
export { NOT_APPLICABLE_CODES } from './read-outcome';
export type { NotApplicable, NotApplicableCode, ReadOutcome, ReadOptions } from './read-outcome';
export { passedToServiceFor, roleParametersFor, listRolePassingOperations } from './passrole-apis';
export type { RoleParameter } from './passrole-apis';
export { iamActionFor, operationName } from './iam-action';
export { parseErrorMessage } from './error-message';
export type { ParsedErrorMessage, EncodedAuthorizationMessage } from './error-message';
