/**
 * The package's library entry (`require('passrole-doctor')`): the construct, its props and the
 * settings types they use, and the protection SCP for the stack that holds it. The ready app
 * (bin/app.ts) is built from these same pieces.
 */
export {
  PassRoleRemediation,
  type HubOrganizationProps,
  type PassRoleRemediationProps,
} from './passrole-remediation';
export {
  APPROVAL_MODES,
  AUTO_APPROVE_MODES,
  SETTINGS_DEFAULTS,
  type ApprovalMode,
  type AutoApprove,
  type OrganizationModeSettings,
  type OuChannelSettings,
  type RouteThrottle,
  type SlackChannel,
  type TeamsChannel,
} from './settings';
export {
  buildProtectionScp,
  protectionScpForStack,
  SCP_MAX_CHARACTERS,
  type ProtectionScpOptions,
  type ScpDocument,
  type ScpStatement,
} from './protection-scp';
