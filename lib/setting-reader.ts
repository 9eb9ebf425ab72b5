/**
 * How a setting is read from CDK context and checked: `-c` values arrive as strings and cdk.json
 * values as JSON, so each reader accepts both, and each bad value becomes one Problem (one line of
 * readSettings' error). Shared by lib/settings.ts and lib/organization/settings.ts.
 */
import type { OuChannelSettings } from './settings';

export const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>".]+$/;
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** Slack's workspace (T…) and channel (C…/G…) ids: uppercase letters and digits, never the display name. */
export const SLACK_ID = /^[A-Z0-9]{2,}$/;
export const UUID = /^[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$/;
/** AWS::Chatbot::MicrosoftTeamsChannelConfiguration's own pattern: the URL-encoded channel id. */
export const TEAMS_CHANNEL_ID = /^[a-zA-Z0-9-_=+/.,]*%3[aA][a-zA-Z0-9-_=+/.,]*%40[a-zA-Z0-9-_=+/.,]*$/;

export type ContextReader = (key: string) => unknown;

export interface Problem {
  key: string;
  reason: string;
}

/**
 * A channel's settings (emails, Slack, Teams) as the main channel takes them: each `channelsByOu`
 * entry is read by the same code, from its own object.
 */
export function readChannel(reader: SettingReader): OuChannelSettings {
  const notificationEmails = reader.list('notificationEmails', (email) =>
    EMAIL.test(email) ? null : 'is not an email address',
  );
  const slack = reader.group(
    ['slackWorkspaceId', 'slackChannelId'],
    SLACK_ID,
    'a Slack id (e.g. T07EA123LEP)',
  );
  const teams = reader.group(
    ['teamsId', 'teamsTenantId', 'teamsChannelId'],
    { teamsId: UUID, teamsTenantId: UUID, teamsChannelId: TEAMS_CHANNEL_ID },
    'the id as the Teams channel link writes it (ids are UUIDs, the channel id is URL-encoded: 19%3a…%40thread.tacv2)',
  );
  return {
    notificationEmails,
    slack: slack === null ? null : { workspaceId: slack.slackWorkspaceId, channelId: slack.slackChannelId },
    teams:
      teams === null
        ? null
        : { teamId: teams.teamsId, tenantId: teams.teamsTenantId, channelId: teams.teamsChannelId },
  };
}

export class SettingReader {
  constructor(
    private readonly readContext: ContextReader,
    private readonly problems: Problem[],
  ) {}

  private fail(key: string, reason: string): void {
    this.problems.push({ key, reason });
  }

  /** Absent, null and '' all mean "not set" (`-c key=` is how a CLI user clears a cdk.json value). */
  raw(key: string): unknown {
    const value = this.readContext(key);
    return value === null || value === '' ? undefined : value;
  }

  integer(key: string, fallback: number, min: number, max: number, why?: string): number {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const number = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
      this.fail(key, `must be an integer from ${min} to ${max}${why ? ` (${why})` : ''}, got ${show(value)}`);
      return fallback;
    }
    return number;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    this.fail(key, `must be true or false, got ${show(value)}`);
    return fallback;
  }

  /** A JSON list, a JSON list in a string, or a comma-separated string; blanks dropped, duplicates merged. */
  list(key: string, check: (item: string) => string | null): string[] {
    const value = this.raw(key);
    if (value === undefined) return [];
    let items: unknown = value;
    if (typeof value === 'string') {
      const text = value.trim();
      if (text.startsWith('[')) {
        try {
          items = JSON.parse(text);
        } catch {
          this.fail(key, `looks like a JSON list but does not parse: ${show(value)}`);
          return [];
        }
      } else {
        items = text.split(',');
      }
    }
    if (!Array.isArray(items) || !items.every((item): item is string => typeof item === 'string')) {
      this.fail(key, `must be a list of strings or a comma-separated string, got ${show(value)}`);
      return [];
    }
    const cleaned = [...new Set(items.map((item) => item.trim()).filter((item) => item !== ''))];
    const bad = cleaned.flatMap((item) => {
      const reason = check(item);
      return reason === null ? [] : [`${show(item)} ${reason}`];
    });
    if (bad.length > 0) {
      this.fail(key, bad.join('; '));
      return [];
    }
    return cleaned;
  }

  oneOf<T extends string>(key: string, choices: readonly T[], fallback: T): T {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const choice = choices.find((candidate) => candidate === value);
    if (choice === undefined) {
      this.fail(key, `must be one of ${choices.join(', ')}, got ${show(value)}`);
      return fallback;
    }
    return choice;
  }

  optionalString(key: string, pattern: RegExp, what: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !pattern.test(value)) {
      this.fail(key, `must be ${what}, got ${show(value)}`);
      return undefined;
    }
    return value;
  }

  /**
   * Settings that only make sense together: all absent (null) or all present and well formed.
   * Half a group is an error naming the missing keys.
   */
  group<K extends string>(
    keys: readonly K[],
    patterns: RegExp | Readonly<Record<K, RegExp>>,
    what: string,
  ): Record<K, string> | null {
    const values = keys.map((key) => [key, this.raw(key)] as const);
    const given = values.filter(([, value]) => value !== undefined);
    if (given.length === 0) return null;
    const missing = values.filter(([, value]) => value === undefined).map(([key]) => key);
    let ok = true;
    for (const [key, value] of given) {
      const pattern = patterns instanceof RegExp ? patterns : patterns[key];
      if (typeof value !== 'string' || !pattern.test(value)) {
        this.fail(key, `must be ${what}, got ${show(value)}`);
        ok = false;
      }
    }
    for (const key of missing) {
      this.fail(
        key,
        `is required when ${given.map(([name]) => name).join(' and ')} ${given.length > 1 ? 'are' : 'is'} set`,
      );
      ok = false;
    }
    return ok ? (Object.fromEntries(values) as Record<K, string>) : null;
  }
}

export function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
