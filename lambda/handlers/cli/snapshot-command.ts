import { rename, rm, writeFile } from 'node:fs/promises';
import { IAMClient } from '@aws-sdk/client-iam';
import { takeAccountSnapshot, type SnapshotProgress } from '../../adapters/aws/account-snapshot';
import { assertAuthorizationDetails } from '../../adapters/gaad/validate';
import { InvalidInputError } from '../../core/errors';
import { IAM_REQUEST_HANDLER } from '../client-settings';
import { EXIT_OK, reportFailure, type CliIo } from './io';

export interface SnapshotOptions {
  out: string;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

function progressLine(progress: SnapshotProgress): string {
  switch (progress.kind) {
    case 'page':
      return (
        `passrole-doctor: snapshot: GetAccountAuthorizationDetails page ${progress.page} read; so far ` +
        `${plural(progress.users, 'user')}, ${plural(progress.groups, 'group')}, ${plural(progress.roles, 'role')}, ` +
        `${plural(progress.policies, 'customer managed policy', 'customer managed policies')}`
      );
    case 'aws-managed-policies':
      return `passrole-doctor: snapshot: reading ${plural(progress.count, 'AWS managed policy', 'AWS managed policies')} in use`;
  }
}

/**
 * `passrole-doctor snapshot --out FILE`: the account as `--snapshot` takes it, read live and
 * read-only. Progress goes to stderr; the file is written whole or not at all (a temporary file
 * renamed into place), so a failed run never leaves a truncated snapshot behind.
 */
export async function runSnapshot(options: SnapshotOptions, io: CliIo): Promise<number> {
  const partial = `${options.out}.partial`;
  try {
    // The default credential chain; AWS_ENDPOINT_URL points it at an emulator.
    const region = process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1';
    const iam = new IAMClient({ region, requestHandler: IAM_REQUEST_HANDLER });
    let snapshot;
    try {
      snapshot = await takeAccountSnapshot(iam, (progress) => io.err(progressLine(progress)));
    } finally {
      iam.destroy();
    }
    // What --snapshot will check when it loads the file, checked before it is written.
    assertAuthorizationDetails(snapshot.details, options.out);
    for (const { arn, reason } of snapshot.unavailable) {
      io.err(`passrole-doctor: snapshot: ${arn} is attached but could not be read: ${reason}`);
    }
    try {
      await writeFile(partial, `${JSON.stringify(snapshot.details, null, 2)}\n`, 'utf8');
      await rename(partial, options.out);
    } catch (error) {
      await rm(partial, { force: true });
      const code = (error as NodeJS.ErrnoException).code ?? 'unwritable';
      throw new InvalidInputError(`cannot write the snapshot (${code})`, options.out, { cause: error });
    }
    const { details } = snapshot;
    const customer = details.Policies.length - snapshot.awsManagedPolicies;
    io.err(
      `passrole-doctor: snapshot: wrote ${options.out}: ${plural(details.UserDetailList.length, 'user')}, ` +
        `${plural(details.GroupDetailList.length, 'group')}, ${plural(details.RoleDetailList.length, 'role')}, ` +
        `${plural(customer, 'customer managed policy', 'customer managed policies')} and ` +
        `${plural(snapshot.awsManagedPolicies, 'AWS managed policy', 'AWS managed policies')}`,
    );
    return EXIT_OK;
  } catch (error) {
    return reportFailure(error, io);
  }
}
