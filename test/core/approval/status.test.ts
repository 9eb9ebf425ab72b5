import { canTransition, type IncidentStatus } from '../../../lambda/core/approval/status';

const ALL: IncidentStatus[] = [
  'pending',
  'approved',
  'rejected',
  'applied',
  'verified',
  'not-verified',
  'failed',
];
const ALLOWED = new Set([
  'pending>approved',
  'pending>rejected',
  'approved>applied',
  'approved>failed',
  'applied>verified',
  'applied>not-verified',
  'applied>failed',
]);

describe('proposal status moves only forward', () => {
  it.each(ALL.flatMap((from) => ALL.map((to) => [from, to] as const)))('%s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(ALLOWED.has(`${from}>${to}`));
  });
});
