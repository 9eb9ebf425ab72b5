/**
 * `passrole-doctor snapshot --identity-center FILE`: the organization's Identity Center instance as
 * `diagnose --identity-center` takes it, read live and read-only with the default credentials (run it
 * in the management account, or the delegated administrator). IDENTITY_CENTER_REGION names the
 * instance's region (else AWS_REGION); IDENTITY_CENTER_INSTANCE_ARN picks the instance (else the
 * account's own). Progress on stderr; the file is written whole or not at all.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import {
  takeIdentityCenterSnapshot,
  type IdentityCenterSnapshotProgress,
} from '../../adapters/aws/identity-center/identity-center-snapshot';
import { SsoAdminIdentityCenterReader } from '../../adapters/aws/identity-center/sso-admin-reader';
import { InvalidInputError } from '../../core/errors';
import { parseIdentityCenterSnapshot } from '../../core/identity-center/snapshot-file';
import { readEnvironment } from '../../settings/env';
import { IDENTITY_CENTER_ENV } from '../../settings/identity-center';
import { identityCenterClients } from '../identity-center-clients';
import { EXIT_OK, reportFailure, type CliIo } from './io';

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

function progressLine(step: IdentityCenterSnapshotProgress): string {
  switch (step.kind) {
    case 'permission-sets':
      return `passrole-doctor: snapshot: ${plural(step.count, 'permission set')} to read`;
    case 'permission-set':
      return `passrole-doctor: snapshot: permission set ${step.index}/${step.count} read (provisioned to ${plural(step.accounts, 'account')})`;
    case 'users':
      return `passrole-doctor: snapshot: reading the groups of ${plural(step.count, 'user')} the sets reach by name`;
  }
}

export async function runIdentityCenterSnapshot(options: { out: string }, io: CliIo): Promise<number> {
  const partial = `${options.out}.partial`;
  try {
    const problems: string[] = [];
    const settings = readEnvironment(IDENTITY_CENTER_ENV, process.env, problems);
    if (problems.length > 0) throw new InvalidInputError(problems.join('; '), 'environment');
    const region =
      settings.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1';
    const { ssoAdmin, identityStore } = identityCenterClients(region);
    let snapshot;
    try {
      const reader = new SsoAdminIdentityCenterReader(ssoAdmin, identityStore, {
        ...(settings.instanceArn === null ? {} : { instanceArn: settings.instanceArn }),
      });
      snapshot = await takeIdentityCenterSnapshot(reader, (step) => io.err(progressLine(step)));
    } finally {
      ssoAdmin.destroy();
      identityStore.destroy();
    }
    // What --identity-center will check when it loads the file, checked before it is written.
    const checked = parseIdentityCenterSnapshot(JSON.parse(JSON.stringify(snapshot)));
    if (checked.kind === 'invalid') {
      throw new InvalidInputError(
        `Identity Center answered what a snapshot cannot hold: ${checked.problems[0]}`,
        options.out,
      );
    }
    try {
      await writeFile(partial, `${JSON.stringify(snapshot, null, 2)}\n`, 'utf8');
      await rename(partial, options.out);
    } catch (error) {
      await rm(partial, { force: true });
      const code = (error as NodeJS.ErrnoException).code ?? 'unwritable';
      throw new InvalidInputError(`cannot write the Identity Center snapshot (${code})`, options.out, {
        cause: error,
      });
    }
    const assignments = snapshot.permissionSets.reduce(
      (sum, set) => sum + Object.values(set.assignments).flat().length,
      0,
    );
    io.err(
      `passrole-doctor: snapshot: wrote ${options.out}: ${plural(snapshot.permissionSets.length, 'permission set')}, ` +
        `${plural(assignments, 'assignment')} and the groups of ${plural(snapshot.userMemberships.length, 'user')} ` +
        `(instance ${snapshot.instanceArn} in ${region})`,
    );
    return EXIT_OK;
  } catch (error) {
    return reportFailure(error, io);
  }
}
