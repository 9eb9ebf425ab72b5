/**
 * Which role a denied request passed: the one errorMessage (or the decoded EC2 message) names, else
 * the one the request parameters carry (found through the table of role-passing APIs, else by
 * scanning them for a role ARN), and which parameter carried it (it decides iam:PassedToService for
 * some APIs). Says, in notes, how it was told and what stayed unknown.
 */
import { isRoleArn, parseInstanceProfile, roleNameOf } from '../iam/arn';
import type { DecodedAuthorization } from './decoded-message';
import type { ParsedErrorMessage } from './error-message';
import { operationName } from './iam-action';
import { describeType, isJsonObject, type JsonObject, stringsAtPath, walkStrings } from './json';
import { type RoleParameter, roleParametersFor } from './passrole-apis';
import { quote } from './quote';
import type { Noted } from './read-outcome';

/** What CloudTrail writes instead of a sensitive request parameter. */
const HIDDEN_PARAMETER = 'HIDDEN_DUE_TO_SECURITY_REASONS';
/** The roles a note lists when a request passes several: enough to see what happened. */
const LISTED_ROLES = 10;

export interface PassedRole {
  roleArn: string | null;
  /** The request parameter that carried the role, when known (decides iam:PassedToService for some APIs). */
  roleParameter: string | undefined;
  /**
   * The one instance profile the request passes (its ARN or name, as written), when nothing names the
   * role: the role is the one the profile holds, which the diagnosis looks up.
   */
  instanceProfile?: string;
}

export interface PassedRoleInput {
  parsed: ParsedErrorMessage;
  decoded: DecodedAuthorization | null;
  /** The record's requestParameters, as it holds them (null, absent or an object). */
  requestParameters: unknown;
  eventSource: string;
  eventName: string;
  /** A role name or ARN as a full ARN in the caller's partition and account. */
  expand: (nameOrArn: string) => string;
}

interface RoleCandidate {
  /** The role as an ARN; null for an instance profile. */
  arn: string | null;
  value: string;
  /** The request parameter's path as the table or the scan found it. */
  parameter: string;
  instanceProfile: boolean;
}

interface RoleSearch {
  candidates: RoleCandidate[];
  hidden: string[];
  /** The candidates came from scanning requestParameters, not from the table. */
  scanned: boolean;
}

function sameRole(left: string, right: string): boolean {
  return left.toLowerCase() === right.toLowerCase();
}

function sameRoleName(left: string, right: string): boolean {
  return roleNameOf(left).toLowerCase() === roleNameOf(right).toLowerCase();
}

function findRoleCandidates(
  parameters: JsonObject | null,
  eventSource: string,
  eventName: string,
  expand: (nameOrArn: string) => string,
): RoleSearch {
  const search: RoleSearch = { candidates: [], hidden: [], scanned: false };
  if (parameters === null) return search;
  const wrapper = `${operationName(eventName)}Request.`;
  const table: RoleParameter[] = roleParametersFor(eventSource, eventName);
  for (const parameter of table) {
    for (const path of [parameter.path, wrapper + parameter.path]) {
      for (const value of stringsAtPath(parameters, path)) {
        if (value === HIDDEN_PARAMETER) {
          search.hidden.push(path);
          continue;
        }
        const arn = parameter.instanceProfile === true ? null : expand(value);
        if (arn !== null && !isRoleArn(arn)) continue;
        search.candidates.push({
          arn,
          value,
          parameter: path,
          instanceProfile: parameter.instanceProfile === true,
        });
      }
    }
  }
  if (search.candidates.some((candidate) => candidate.arn !== null)) return search;
  // The API is not in the table, or passes the role in a parameter the table does not know: whichever role ARN it holds will do.
  for (const { path, value } of walkStrings(parameters)) {
    if (isRoleArn(value)) {
      search.candidates.push({ arn: value, value, parameter: path, instanceProfile: false });
      search.scanned = true;
    }
  }
  return search;
}

function distinctRoles(candidates: RoleCandidate[]): RoleCandidate[] {
  const seen: RoleCandidate[] = [];
  for (const candidate of candidates) {
    if (candidate.arn === null) continue;
    const arn = candidate.arn;
    if (!seen.some((other) => other.arn !== null && sameRole(other.arn, arn))) seen.push(candidate);
  }
  return seen;
}

function roleFromMessage(
  parsed: ParsedErrorMessage,
  expand: (nameOrArn: string) => string,
): Noted<string | null> {
  const resource = parsed.resource;
  if (resource === null || parsed.resourceCut) return { value: null, notes: [] };
  if (resource === '*') return { value: null, notes: ["errorMessage names resource '*', not a role"] };
  const arn = expand(resource);
  if (!isRoleArn(arn)) {
    return { value: null, notes: [`errorMessage names resource '${quote(resource)}', which is not a role`] };
  }
  // expand returns an ARN as it is: a different value means the message gave a name.
  const notes =
    arn === resource ? [] : [`errorMessage names the role as '${quote(resource)}': read as ${arn}`];
  return { value: arn, notes };
}

/** The candidate that carried `roleArn`, matched by ARN, else by name (parameters may give only the name). */
function carrierOf(roleArn: string, search: RoleSearch): Noted<string | undefined> {
  const roles = search.candidates.filter((candidate) => candidate.arn !== null);
  const exact = roles.find((candidate) => candidate.arn !== null && sameRole(candidate.arn, roleArn));
  if (exact !== undefined) return { value: exact.parameter, notes: [] };
  const byName = search.candidates.find((candidate) => sameRoleName(candidate.value, roleArn));
  if (byName !== undefined) return { value: byName.parameter, notes: [] };
  const profiles = search.candidates.filter((candidate) => candidate.instanceProfile);
  const [profile] = profiles;
  if (profiles.length === 1 && profile !== undefined) {
    return {
      value: profile.parameter,
      notes: [
        `the role is not among the request's role parameters: taken to be the role in instance profile '${quote(profile.value)}' (${profile.parameter})`,
      ],
    };
  }
  const [other] = distinctRoles(roles);
  const notes =
    other?.arn != null
      ? [`requestParameters.${other.parameter} passes ${other.arn}; the denied role is ${roleArn}`]
      : [];
  return { value: undefined, notes };
}

/**
 * The instance profile the request passes, when it passes exactly one that IAM could name (its ARN
 * when the request wrote one, else its name); null when none or several.
 */
function onlyInstanceProfile(search: RoleSearch): RoleCandidate | null {
  const profiles = search.candidates.filter(
    (candidate) => candidate.instanceProfile && parseInstanceProfile(candidate.value) !== null,
  );
  // Instance profile names are unique in an account regardless of case.
  const names = new Set(profiles.map((profile) => parseInstanceProfile(profile.value)?.name.toLowerCase()));
  if (names.size !== 1) return null;
  return (
    profiles.find((profile) => parseInstanceProfile(profile.value)?.account != null) ?? profiles[0] ?? null
  );
}

/** The role named by a message, with the parameter that carried it. */
function namedRole(roleArn: string, search: RoleSearch, notes: readonly string[]): Noted<PassedRole> {
  const carrier = carrierOf(roleArn, search);
  return { value: { roleArn, roleParameter: carrier.value }, notes: [...notes, ...carrier.notes] };
}

function chooseRole(
  parsed: ParsedErrorMessage,
  decoded: DecodedAuthorization | null,
  search: RoleSearch,
  expand: (nameOrArn: string) => string,
): Noted<PassedRole> {
  const fromMessage = roleFromMessage(parsed, expand);
  if (fromMessage.value !== null) return namedRole(fromMessage.value, search, fromMessage.notes);
  const notes = [...fromMessage.notes];
  const unknown = (note: string): Noted<PassedRole> => ({
    value: { roleArn: null, roleParameter: undefined },
    notes: [...notes, note],
  });
  const fromDecoded = decoded?.resource ?? null;
  if (fromDecoded !== null && isRoleArn(fromDecoded)) {
    return namedRole(fromDecoded, search, [...notes, 'role named by the decoded authorization message']);
  }
  const roles = distinctRoles(search.candidates);
  const source = search.scanned ? 'found by scanning requestParameters (the API is not in the table)' : '';
  if (parsed.resourceCut && parsed.resource !== null) {
    const cut = expand(parsed.resource);
    const matching = roles.filter((role) => role.arn?.toLowerCase().startsWith(cut.toLowerCase()) === true);
    const [match] = matching;
    if (matching.length === 1 && match?.arn != null) {
      const note = `role taken from requestParameters.${match.parameter}, which begins like the cut role ${source}`;
      return {
        value: { roleArn: match.arn, roleParameter: match.parameter },
        notes: [...notes, note.trim()],
      };
    }
    return unknown('no role in requestParameters begins like the cut role: the passed role is unknown');
  }
  const [only] = roles;
  if (roles.length === 1 && only?.arn != null) {
    const note = `errorMessage names no role: taken from requestParameters.${only.parameter} ${source}`;
    return { value: { roleArn: only.arn, roleParameter: only.parameter }, notes: [...notes, note.trim()] };
  }
  if (roles.length > 1) {
    const more = roles.length > LISTED_ROLES ? ` and ${roles.length - LISTED_ROLES} more` : '';
    const listed =
      roles
        .slice(0, LISTED_ROLES)
        .map((role) => `${role.parameter}=${role.arn ?? role.value}`)
        .join(', ') + more;
    return unknown(
      `the request passes several roles (${listed}) and errorMessage does not say which was denied`,
    );
  }
  const profile = onlyInstanceProfile(search);
  if (profile !== null) {
    const note = `errorMessage names no role: the role passed is the one instance profile '${quote(profile.value)}' holds (requestParameters.${profile.parameter})`;
    return {
      value: { roleArn: null, roleParameter: profile.parameter, instanceProfile: profile.value },
      notes: [...notes, note],
    };
  }
  const profiles = search.candidates.filter((candidate) => candidate.instanceProfile);
  const profileNotes = profiles.map(
    (profile) =>
      `requestParameters.${profile.parameter} passes instance profile '${quote(profile.value)}': an instance profile is not a role, and the record does not name the role in it`,
  );
  if (profiles.length === 0)
    profileNotes.push('neither errorMessage nor requestParameters names the passed role');
  return {
    value: { roleArn: null, roleParameter: profiles[0]?.parameter },
    notes: [...notes, ...profileNotes],
  };
}

/** EC2's launch templates may carry the instance profile, which the record then does not show. */
function launchTemplateNotes(parameters: JsonObject): string[] {
  const templates = ['launchTemplate.launchTemplateId', 'launchTemplate.launchTemplateName']
    .flatMap((path) => stringsAtPath(parameters, path))
    .map((template) => quote(template));
  return templates.length > 0
    ? [`launch template ${templates.join(', ')} may carry the instance profile`]
    : [];
}

/** The passed role and its carrier, with what the parameters and the message told (or hid) about it. */
export function resolvePassedRole(input: PassedRoleInput): Noted<PassedRole> {
  const { parsed, decoded, requestParameters, eventSource, eventName, expand } = input;
  const parameters = isJsonObject(requestParameters) ? requestParameters : null;
  const search = findRoleCandidates(parameters, eventSource, eventName, expand);
  const role = chooseRole(parsed, decoded, search, expand);
  const notes = [
    ...(parameters === null ? [`requestParameters is ${describeType(requestParameters)}`] : []),
    ...search.hidden.map((path) => `requestParameters.${path} is hidden by CloudTrail`),
    ...role.notes,
    ...(role.value.roleArn === null && parameters !== null ? launchTemplateNotes(parameters) : []),
  ];
  return { value: role.value, notes };
}
