/**
 * IdentityCenterReader over a saved Identity Center snapshot (core/identity-center/snapshot-file.ts),
 * for `diagnose --identity-center FILE`: the offline diagnosis resolves, reads and measures a permission
 * set as the live one does. Read-only: a snapshot holds no provisioning requests.
 */
import { readFile } from 'node:fs/promises';
import { InvalidInputError, InvalidSnapshotError } from '../../core/errors';
import type {
  PermissionSetAssignment,
  PermissionSetDefinition,
  PermissionSetRef,
  ProvisioningStatus,
} from '../../core/identity-center/model';
import {
  parseIdentityCenterSnapshot,
  type IdentityCenterSnapshot,
  type SnapshotPermissionSet,
} from '../../core/identity-center/snapshot-file';
import type { IdentityCenterReader } from '../../ports/identity-center';

export class SnapshotIdentityCenterReader implements IdentityCenterReader {
  private readonly snapshot: IdentityCenterSnapshot;

  /**
   * @param json the parsed file (copied: later changes to it do not reach the reader)
   * @param source its name in error messages
   */
  constructor(
    json: unknown,
    private readonly source: string,
  ) {
    const parsed = parseIdentityCenterSnapshot(json);
    if (parsed.kind === 'invalid') throw new InvalidSnapshotError(source, parsed.problems);
    this.snapshot = structuredClone(parsed.snapshot);
  }

  static async fromFile(path: string): Promise<SnapshotIdentityCenterReader> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable');
      throw new InvalidInputError(`cannot read the Identity Center snapshot (${why})`, path, {
        cause: error,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new InvalidInputError('the Identity Center snapshot is not JSON', path, { cause: error });
    }
    return new SnapshotIdentityCenterReader(json, path);
  }

  /** When the snapshot was taken (ISO 8601), for reports. */
  get takenAt(): string {
    return this.snapshot.takenAt;
  }

  async permissionSet(name: string): Promise<PermissionSetRef | null> {
    const found = this.snapshot.permissionSets.find((set) => set.definition.name === name);
    if (found === undefined) return null;
    const { instanceArn, permissionSetArn } = found.definition;
    return { instanceArn, permissionSetArn, name };
  }

  async definition(ref: PermissionSetRef): Promise<PermissionSetDefinition> {
    return structuredClone(this.setOf(ref).definition);
  }

  async provisionedAccounts(ref: PermissionSetRef): Promise<string[]> {
    return [...this.setOf(ref).provisionedAccounts];
  }

  /** The snapshot reads every provisioned account's assignments: an account it lists none for has none. */
  async assignments(ref: PermissionSetRef, accountId: string): Promise<PermissionSetAssignment[]> {
    return structuredClone(this.setOf(ref).assignments[accountId] ?? []);
  }

  /**
   * A user the snapshot did not read (no set reaches it by name) is unknown, not absent: the snapshot
   * cannot say the user belongs to no group, so it refuses to answer rather than answer null.
   */
  async userMemberships(userName: string): Promise<{ userId: string; groupIds: string[] } | null> {
    const user = this.snapshot.userMemberships.find((candidate) => candidate.userName === userName);
    if (user === undefined) {
      throw new InvalidInputError(
        `${this.source}: the Identity Center snapshot did not read the groups of user ${userName}`,
        this.source,
      );
    }
    return { userId: user.userId, groupIds: [...user.groupIds] };
  }

  async provisioningStatus(_ref: PermissionSetRef, requestId: string): Promise<ProvisioningStatus> {
    throw new InvalidInputError(
      `${this.source}: an Identity Center snapshot holds no provisioning request (${requestId}): nothing is provisioned offline`,
      this.source,
    );
  }

  private setOf(ref: PermissionSetRef): SnapshotPermissionSet {
    const found = this.snapshot.permissionSets.find(
      (set) => set.definition.permissionSetArn === ref.permissionSetArn,
    );
    if (found === undefined) {
      throw new InvalidInputError(
        `${this.source}: the Identity Center snapshot has no permission set ${ref.permissionSetArn}`,
        this.source,
      );
    }
    return found;
  }
}
