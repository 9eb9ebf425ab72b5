export { readDenials, encodedAuthorizationMessages } from './read-denials';
export type { ReadOutcome, ReadOptions } from './read-denials';
export { passedToServiceFor, roleParametersFor, listRolePassingOperations } from './passrole-apis';
export type { RoleParameter } from './passrole-apis';
export { iamActionFor, operationName } from './iam-action';
export { parseErrorMessage } from './error-message';
export type { ParsedErrorMessage, EncodedAuthorizationMessage } from './error-message';
