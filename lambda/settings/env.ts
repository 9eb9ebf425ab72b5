/**
 * A function's environment as one typed spec: each variable's name, how the CDK construct writes it
 * and how the handler reads and checks it (parse, range, default). The construct and the handler
 * import the same spec, so a name, a range or a default cannot drift between them. No aws-cdk-lib
 * here: this module is bundled into the functions; CDK tokens (a table's name) are just strings.
 */
import { InvalidInputError } from '../core/errors';

export type Environment = Readonly<Record<string, string | undefined>>;

/** One environment variable: `T` as the handler reads it, `W` as the construct gives it. */
export interface EnvSetting<T, W = T> {
  readonly name: string;
  write(value: W): string;
  /** The value; each problem is added to `problems` as one line that names the variable. */
  read(env: Environment, problems: string[]): T;
}

/** A whole-number setting, with the range and default both sides use. */
export interface WholeNumberSetting extends EnvSetting<number> {
  readonly fallback: number;
  readonly min: number;
  readonly max: number;
}

/** Any setting: what it writes is only known per key (EnvironmentValues), so `never` here. */
type AnySetting = EnvSetting<unknown, never>;
export type EnvSpec = Readonly<Record<string, AnySetting>>;

/** What a spec reads: each key's value. */
export type SettingsOf<S extends EnvSpec> = { -readonly [K in keyof S]: ReturnType<S[K]['read']> };
/** What the construct gives: each key's value, or undefined to leave the variable out (its default). */
export type EnvironmentValues<S extends EnvSpec> = {
  readonly [K in keyof S]: Parameters<S[K]['write']>[0] | undefined;
};

/** The construct's side: the variables of `spec` for `values`, leaving out the undefined ones. */
export function environmentOf<S extends EnvSpec>(
  spec: S,
  values: EnvironmentValues<S>,
): Record<string, string> {
  const given: Readonly<Record<string, unknown>> = values;
  const environment: Record<string, string> = {};
  for (const [key, setting] of Object.entries(spec)) {
    const value = given[key];
    // EnvironmentValues<S> typed `value` as this key's own W.
    const write = setting.write as (value: unknown) => string;
    if (value !== undefined) environment[setting.name] = write.call(setting, value);
  }
  return environment;
}

/** The handler's side: every setting of `spec`, in its order, each problem added to `problems`. */
export function readEnvironment<S extends EnvSpec>(
  spec: S,
  env: Environment,
  problems: string[],
): SettingsOf<S> {
  const settings = Object.fromEntries(
    Object.entries(spec).map(([key, setting]) => [key, setting.read(env, problems)]),
  );
  return settings as SettingsOf<S>;
}

function raw(env: Environment, name: string): string {
  return env[name]?.trim() ?? '';
}

/** A check of a text value: the problem with it, or null when it is fine. */
export type TextCheck = (value: string, name: string) => string | null;

/** A pattern check with the usual wording: `NAME is not <what>: 'value'`. */
export function matching(pattern: RegExp, what: string): TextCheck {
  return (value, name) => (pattern.test(value) ? null : `${name} is not ${what}: '${value}'`);
}

const asText = (value: string): string => value;

/** Text that must be set (`NAME is not set` otherwise, with `why` after a colon when given). */
export function requiredText(name: string, check?: TextCheck, why?: string): EnvSetting<string> {
  return {
    name,
    write: asText,
    read(env, problems) {
      const value = raw(env, name);
      if (value === '') problems.push(`${name} is not set${why ? `: ${why}` : ''}`);
      else checkText(value, name, check, problems);
      return value;
    },
  };
}

/** Text that may be absent: null then. */
export function optionalText(name: string, check?: TextCheck): EnvSetting<string | null, string> {
  return {
    name,
    write: asText,
    read(env, problems) {
      const value = raw(env, name);
      if (value === '') return null;
      checkText(value, name, check, problems);
      return value;
    },
  };
}

/** Text with a default when absent. */
export function textOr(name: string, fallback: string): EnvSetting<string> {
  return { name, write: asText, read: (env) => raw(env, name) || fallback };
}

function checkText(value: string, name: string, check: TextCheck | undefined, problems: string[]): void {
  const problem = check?.(value, name) ?? null;
  if (problem !== null) problems.push(problem);
}

/** A whole number in a range, in `unit`s; the default when absent. */
export function wholeNumber(
  name: string,
  range: { fallback: number; min: number; max: number; unit: string },
): WholeNumberSetting {
  const { fallback, min, max, unit } = range;
  return {
    name,
    fallback,
    min,
    max,
    write: String,
    read(env, problems) {
      const text = raw(env, name);
      if (text === '') return fallback;
      const value = Number(text);
      if (!Number.isInteger(value) || value < min || value > max) {
        problems.push(`${name} must be a whole number of ${unit} from ${min} to ${max}, got '${text}'`);
        return fallback;
      }
      return value;
    },
  };
}

/** One of `choices`; the default when absent. */
export function oneOf<T extends string>(
  name: string,
  choices: readonly T[],
  fallback: T,
): EnvSetting<T> & { readonly fallback: T; readonly choices: readonly T[] } {
  return {
    name,
    fallback,
    choices,
    write: asText,
    read(env, problems) {
      const text = raw(env, name);
      if (text === '') return fallback;
      const choice = choices.find((candidate) => candidate === text);
      if (choice === undefined) {
        const listed = `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1] ?? ''}`;
        problems.push(`${name} must be ${listed}, got '${text.slice(0, 100)}'`);
      }
      return choice ?? fallback;
    },
  };
}

/** true or false; false when absent. */
export function flag(name: string): EnvSetting<boolean> {
  return {
    name,
    write: String,
    read(env, problems) {
      const text = raw(env, name);
      if (text !== '' && text !== 'true' && text !== 'false') {
        problems.push(`${name} must be true or false, got '${text.slice(0, 100)}'`);
      }
      return text === 'true';
    },
  };
}

/** The comma-separated items of a variable, blanks dropped. */
export function listItems(env: Environment, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** A comma-separated list; `check` gives the problem with one item, or null. */
export function textList(
  name: string,
  check: (item: string) => string | null,
): EnvSetting<string[], readonly string[]> {
  return {
    name,
    write: (items) => items.join(','),
    read(env, problems) {
      const items = listItems(env, name);
      for (const item of items) {
        const problem = check(item);
        if (problem !== null) problems.push(problem);
      }
      return items;
    },
  };
}

/** Throws one InvalidInputError naming every problem of a function's environment, if it has some. */
export function throwOnProblems(functionName: string, problems: readonly string[]): void {
  if (problems.length > 0) {
    throw new InvalidInputError(
      `${functionName} function environment is invalid: ${problems.join('; ')}`,
      'environment',
    );
  }
}
