/**
 * Stored diagnoses of both releases decode. The legacy shapes are the flat JSON reports the
 * previous release pinned (test/fixtures/baseline/scenarios), which hold exactly the flat fields its
 * records stored; the current shapes come from the engine itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalPolicySimulator } from '../../../lambda/adapters/local/local-policy-simulator';
import { createDiagnoser } from '../../../lambda/core/diagnose';
import { verdictOf } from '../../../lambda/core/diagnosis/derived';
import { decodeStoredDiagnosis } from '../../../lambda/core/diagnosis/stored';
import { InvalidInputError } from '../../../lambda/core/errors';
import type { Diagnosis } from '../../../lambda/core/model';
import { defaultEscalationDependencies } from '../../../lambda/core/proposal/assess-escalation';
import { toJsonReport } from '../../../lambda/core/render/json-report';
import { renderTextReport } from '../../../lambda/core/render/text-report';
import { denialOf } from '../../support/denials';
import { group, managed, role, scope, user } from '../../support/scope-builders';
import { scopeEscalationReader } from '../../support/scope-escalation-reader';
import { InMemoryAuthorizationRecordReader } from '../../../lambda/adapters/memory/in-memory-authorization-record-reader';
import { NO_INSTANCE_PROFILES } from '../../support/instance-profiles';

interface Pinned {
  json: Record<string, unknown>;
  text: string;
}

function pinned(suite: string): [string, Pinned][] {
  const file = join(__dirname, '../../fixtures/baseline/scenarios', `${suite}.json`);
  return Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, Pinned>);
}

/** The flat record the previous release stored: the report's diagnosis fields. */
function legacyRecord(json: Record<string, unknown>): Record<string, unknown> {
  const { denial, verdict, summary, reason, findings, proposal } = json;
  return { denial, verdict, summary, findings, proposal, reason };
}

const LEGACY = [...pinned('diagnose-scenarios'), ...pinned('diagnose-escalation')];

describe('decodeStoredDiagnosis: the previous release', () => {
  it.each(LEGACY)('%s: decodes as recorded, and reports the same fields', (_name, { json }) => {
    const diagnosis = decodeStoredDiagnosis(legacyRecord(json));
    expect(diagnosis.outcome).toBe('recorded');
    const report = toJsonReport(diagnosis);
    for (const field of ['verdict', 'summary', 'reason', 'findings'] as const) {
      expect({ field, value: report[field] }).toEqual({ field, value: json[field] });
    }
    // The denial gains the fields added since it was stored, as null.
    const added = { instanceProfile: null, authorizationId: null, authorizationRegion: null };
    expect(report.denial).toEqual(
      json['denial'] === null ? null : { ...added, ...(json['denial'] as object) },
    );
  });

  it.each(LEGACY.filter(([, { json }]) => json['proposal'] === null))(
    '%s: the text report reads as it did',
    (_name, { json, text }) => {
      expect(renderTextReport(decodeStoredDiagnosis(legacyRecord(json)))).toBe(text);
    },
  );

  it('a record whose store kept the proposal apart decodes with no proposal, the verdict as written', () => {
    const [, { json }] = LEGACY[0] ?? ['', { json: {}, text: '' }];
    const { proposal: _kept, ...rest } = legacyRecord(json);
    const diagnosis = decodeStoredDiagnosis(rest);
    expect(diagnosis).toMatchObject({ outcome: 'recorded', proposal: null, verdict: json['verdict'] });
  });

  it('refuses what neither release wrote', () => {
    const [, { json }] = LEGACY[0] ?? ['', { json: {}, text: '' }];
    const flat = legacyRecord(json);
    expect(() => decodeStoredDiagnosis(null)).toThrow(InvalidInputError);
    expect(() => decodeStoredDiagnosis({ ...flat, verdict: 'maybe' })).toThrow(InvalidInputError);
    expect(() => decodeStoredDiagnosis({ ...flat, summary: 3 })).toThrow(InvalidInputError);
    expect(() => decodeStoredDiagnosis({ ...flat, findings: [{ kind: 'guess', message: 'm' }] })).toThrow(
      InvalidInputError,
    );
    expect(() => decodeStoredDiagnosis({ ...flat, outcome: 'perhaps' })).toThrow(InvalidInputError);
  });
});

describe('decodeStoredDiagnosis: this release', () => {
  const glueConsole = managed('AWSGlueConsoleFullAccess', {
    Effect: 'Allow',
    Action: ['iam:PassRole'],
    Resource: 'arn:aws:iam::*:role/AWSGlueServiceRole*',
  });
  const account = scope(
    user('mei', { groups: [group('GlueAccess', { attachedPolicies: [glueConsole] })] }),
    role('etl-runtime'),
  );

  async function diagnosed(denial = denialOf()): Promise<Diagnosis> {
    return createDiagnoser({
      authorizationRecords: new InMemoryAuthorizationRecordReader(),
      accountReader: { loadScope: async () => account },
      simulator: new LocalPolicySimulator(),
      instanceProfiles: NO_INSTANCE_PROFILES,
      escalation: defaultEscalationDependencies(scopeEscalationReader(account)),
    }).diagnose(denial);
  }

  it('a proposal, through a JSON round trip, decodes to the same diagnosis and the same reports', async () => {
    const diagnosis = await diagnosed();
    expect(diagnosis.outcome).toBe('proposed');
    const decoded = decodeStoredDiagnosis(JSON.parse(JSON.stringify(diagnosis)));
    expect(decoded).toEqual(diagnosis);
    expect(renderTextReport(decoded)).toBe(renderTextReport(diagnosis));
    expect(toJsonReport(decoded)).toEqual(toJsonReport(diagnosis));
  });

  it('an outcome without a proposal decodes; a proposed one without its proposal is refused', async () => {
    const notApplicable = await diagnosed(denialOf({ roleArn: null }));
    expect(decodeStoredDiagnosis(JSON.parse(JSON.stringify(notApplicable)))).toEqual(notApplicable);
    expect(verdictOf(notApplicable)).toBe('not-applicable');
    const { proposal: _stripped, ...rest } = (await diagnosed()) as Diagnosis & { proposal: unknown };
    expect(() => decodeStoredDiagnosis(rest)).toThrow(InvalidInputError);
  });

  it('refuses a finding of a kind this release does not write', async () => {
    const diagnosis = JSON.parse(JSON.stringify(await diagnosed())) as Record<string, unknown>;
    expect(() => decodeStoredDiagnosis({ ...diagnosis, findings: [{ kind: 'guess' }] })).toThrow(
      InvalidInputError,
    );
  });
});
