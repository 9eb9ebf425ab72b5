import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LocalPolicySimulator } from '../../adapters/local/local-policy-simulator';
import { SnapshotAccountReader } from '../../adapters/snapshot/snapshot-account-reader';
import { readDenials } from '../../core/denial';
import { createDiagnoser } from '../../core/diagnose';
import { defaultEscalationDependencies } from '../../core/proposal/assess-escalation';
import { InvalidInputError } from '../../core/errors';
import { renderTextReport } from '../../core/render/text-report';
import { EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, readJsonFile, type CliIo } from './io';
import { proposalOf } from '../../core/diagnosis/derived';
import { allowedUnder, assumedConditions } from '../../core/render/verification-context';
import { InMemoryAuthorizationRecordReader } from '../../adapters/memory/in-memory-authorization-record-reader';

/** The shipped seed scenario: found by walking up from this file (source tree or dist/ bundle). */
export function findSeedExample(start: string = __dirname): { snapshot: string; event: string } {
  let directory = start;
  for (;;) {
    const candidate = join(directory, 'examples', 'seed');
    if (existsSync(join(candidate, 'account.json'))) {
      return { snapshot: join(candidate, 'account.json'), event: join(candidate, 'denial.json') };
    }
    const parent = dirname(directory);
    if (parent === directory) throw new InvalidInputError('the shipped example is missing', 'examples/seed');
    directory = parent;
  }
}

/**
 * `npm start`: the seed's scenario end to end, offline. Diagnose the UpdateJob denial, apply the
 * proposal to the in-memory snapshot, and simulate again as the user would now call.
 */
export async function runDemo(io: CliIo, example = findSeedExample()): Promise<number> {
  const reader = await SnapshotAccountReader.fromFile(example.snapshot);
  const simulator = new LocalPolicySimulator();
  // Offline: the default approval settings, which the report says were assumed.
  const diagnoser = createDiagnoser({
    authorizationRecords: new InMemoryAuthorizationRecordReader([], 'the demo reads no AWS records'),
    accountReader: reader,
    simulator,
    instanceProfiles: reader,
    escalation: defaultEscalationDependencies(reader),
  });
  const [outcome] = readDenials(await readJsonFile(example.event), example.event);
  if (outcome?.kind !== 'denial') {
    io.err(`passrole-doctor: ${example.event}: the example is not a PassRole denial`);
    return EXIT_BAD_INPUT;
  }
  io.out(`passrole-doctor demo: the seed scenario (${example.event})\n`);
  const diagnosis = await diagnoser.diagnose(outcome.denial);
  io.out(renderTextReport(diagnosis));
  const proposal = proposalOf(diagnosis);
  const denial = outcome.denial;
  if (!proposal || !denial.roleArn || !denial.policySourceArn) {
    io.err('passrole-doctor: the demo expected a proposal');
    return EXIT_FAILURE;
  }

  io.out(
    `\nApplying ${proposal.policyName} to ${proposal.target.type} ${proposal.target.name} in the in-memory snapshot...`,
  );
  await reader.putInlinePolicy(proposal.target, proposal.policyName, proposal.document);
  const readBack = await reader.getInlinePolicy(proposal.target, proposal.policyName);
  const matches = JSON.stringify(readBack) === JSON.stringify(proposal.document);
  io.out(`Read back: ${matches ? 'identical to the proposal' : 'DIFFERENT from the proposal'}`);

  const scope = await reader.loadScope(denial.policySourceArn, denial.roleArn);
  const after = await simulator.simulate({
    policySourceArn: denial.policySourceArn,
    action: 'iam:PassRole',
    resourceArn: denial.roleArn,
    context: proposal.verificationContext,
    additionalPolicies: [],
    scope,
  });
  const decision =
    after.decision === 'allowed'
      ? allowedUnder(assumedConditions(denial.context, proposal.verificationContext))
      : after.decision;
  io.out(`Re-simulation after applying: ${decision}`);
  return after.decision === 'allowed' && matches ? EXIT_OK : EXIT_FAILURE;
}
