import { principalPolicies } from '../../../lambda/core/iam/principal-policies';
import { group, inline, managed, role, user } from '../../support/scope-builders';

const allow = { Effect: 'Allow' as const, Action: 'iam:PassRole', Resource: '*' };

describe("the walk over a principal's policies", () => {
  it("lists a user's own policies, then each group's, then the boundary, each with its holder", () => {
    const mei = user('mei', {
      inlinePolicies: [inline('own-inline', allow)],
      attachedPolicies: [managed('OwnManaged', allow)],
      permissionsBoundary: managed('Boundary', allow),
      groups: [
        group('Developers', {
          inlinePolicies: [inline('dev-inline', allow)],
          attachedPolicies: [managed('DevManaged', allow)],
        }),
      ],
    });
    expect(
      principalPolicies(mei).map(({ layer, attachedTo, inline: isInline, name, arn, holder }) => ({
        layer,
        attachedTo,
        inline: isInline,
        name,
        arn,
        holder,
      })),
    ).toEqual([
      {
        layer: 'identity',
        attachedTo: 'user/mei',
        inline: true,
        name: 'own-inline',
        arn: null,
        holder: { kind: 'user', name: 'mei' },
      },
      {
        layer: 'identity',
        attachedTo: 'user/mei',
        inline: false,
        name: 'OwnManaged',
        arn: 'arn:aws:iam::aws:policy/OwnManaged',
        holder: { kind: 'user', name: 'mei' },
      },
      {
        layer: 'identity',
        attachedTo: 'group/Developers',
        inline: true,
        name: 'dev-inline',
        arn: null,
        holder: { kind: 'group', name: 'Developers' },
      },
      {
        layer: 'identity',
        attachedTo: 'group/Developers',
        inline: false,
        name: 'DevManaged',
        arn: 'arn:aws:iam::aws:policy/DevManaged',
        holder: { kind: 'group', name: 'Developers' },
      },
      {
        layer: 'boundary',
        attachedTo: 'user/mei',
        inline: false,
        name: 'Boundary',
        arn: 'arn:aws:iam::aws:policy/Boundary',
        holder: { kind: 'user', name: 'mei' },
      },
    ]);
  });

  it("lists a role's own policies and nothing for an empty principal", () => {
    const deployer = role('deployer', { inlinePolicies: [inline('pass', allow)] });
    expect(principalPolicies(deployer).map((policy) => [policy.attachedTo, policy.name])).toEqual([
      ['role/deployer', 'pass'],
    ]);
    expect(principalPolicies(role('empty'))).toEqual([]);
  });
});
