/** The UpdateItem of a transition, and the approvals-count condition it shares with addApproval. */
import { transitionEvent, transitionGuardsExpiry } from '../../../core/approval/transition';
import { epochSeconds } from '../../../core/incident';
import type { TransitionRequest } from '../../../ports/approval-store';
import type { ItemWrite } from './conditional-write';
import { DECIDED_RETENTION_DAYS, proposalKey } from './schema';

/** `approvals` holds exactly `count` entries (none: absent or empty); fills in its names and values. */
export function approvalCountCondition(
  count: number,
  names: Record<string, string>,
  values: Record<string, unknown>,
): string {
  names['#approvals'] = 'approvals';
  values[':priorApprovals'] = count;
  return count === 0
    ? '(attribute_not_exists(#approvals) OR size(#approvals) = :priorApprovals)'
    : 'size(#approvals) = :priorApprovals';
}

/**
 * SET status, append the history entry, keep the record DECIDED_RETENTION_DAYS; on status = from.
 * `lastTransitionId = token` lets a retry of the same write recognise it landed.
 */
export function transitionWrite(proposalId: string, request: TransitionRequest, token: string): ItemWrite {
  const at = request.at.toISOString();
  const sets = [
    '#status = :to',
    '#history = list_append(if_not_exists(#history, :noEvents), :event)',
    '#ttl = :ttl',
    'lastTransitionId = :transitionId',
  ];
  const names: Record<string, string> = { '#status': 'status', '#history': 'history', '#ttl': 'ttl' };
  const values: Record<string, unknown> = {
    ':from': request.from,
    ':to': request.to,
    ':event': [transitionEvent(request)],
    ':noEvents': [],
    ':ttl': epochSeconds(at) + DECIDED_RETENTION_DAYS * 24 * 3600,
    ':transitionId': token,
  };
  if (request.outcome !== undefined) {
    sets.push('#outcome = :outcome');
    names['#outcome'] = 'outcome';
    values[':outcome'] = request.outcome;
  }
  if (request.decision !== undefined) {
    sets.push('#decision = :decision');
    names['#decision'] = 'decision';
    values[':decision'] = request.decision;
  }
  if (request.approvals !== undefined) {
    sets.push('#approvals = :approvals');
    names['#approvals'] = 'approvals';
    values[':approvals'] = request.approvals;
  }
  let condition = 'attribute_exists(pk) AND #status = :from';
  if (transitionGuardsExpiry(request)) {
    condition += ' AND expiresAt > :now';
    values[':now'] = at;
  }
  if (request.priorApprovals !== undefined) {
    condition += ` AND ${approvalCountCondition(request.priorApprovals, names, values)}`;
  }
  return {
    Key: proposalKey(proposalId),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
