/** The names the hub and the member template share (one definition, in the functions' settings). */
export { HUB_BUS_NAME, HUB_ROLE_NAMES, MEMBER_ROLE_NAMES } from '../../lambda/settings/organization';

/** The StackSet, the hub stack and the management account's plain stack of the member template. */
export const MEMBER_STACK_SET_NAME = 'PassRoleDoctor-Members';
export const HUB_STACK_NAME = 'PassRoleDoctorHub';
export const MANAGEMENT_MEMBER_STACK_NAME = 'PassRoleDoctor-ManagementMember';
