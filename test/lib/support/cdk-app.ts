/**
 * Builds the CDK app the way bin/app.ts does (cdk.json's context, readSettings, the stacks, cdk-nag),
 * with context overrides, and with esbuild bundling skipped unless a test is about the bundle.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Validations, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readCdkJsonContext } from '../../../lib/cdk-json-context';
import { addPassRoleDoctorStacks, type PassRoleDoctorStacks } from '../../../lib/passrole-doctor-app';
import type { PassRoleRemediation, PassRoleRemediationProps } from '../../../lib/passrole-remediation';
import { readSettings, type PassRoleDoctorSettings } from '../../../lib/settings';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');
const PLACEHOLDER_ENTRY = path.join(__dirname, 'placeholder-handler.ts');

/** The context cdk.json gives every `cdk synth`: the settings' defaults and the feature flags. */
export const cdkJsonContext = (): Record<string, unknown> => readCdkJsonContext();

/** Every optional setting, as `-c` strings: emails, Slack, Teams, a trail, forwarders, other numbers. */
export const ALL_OPTIONS_CONTEXT = {
  notificationEmails: 'platform@example.com,oncall@example.com',
  slackWorkspaceId: 'T07EA123LEP',
  slackChannelId: 'C07EZ1ABC23',
  teamsId: '1a2b3c4d-1111-2222-3333-444455556666',
  teamsTenantId: '9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff',
  teamsChannelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
  createTrail: 'true',
  forwardFromRegions: '["us-east-1","eu-central-1"]',
  maxConcurrency: '7',
  proposalTtlHours: '48',
  renotifyAfterHours: '12',
} as const;

export interface TestAppOptions {
  /** Overrides on top of cdk.json's context, as `-c key=value` would give them. */
  readonly context?: Record<string, unknown>;
  /**
   * Run esbuild for the functions (slow), from their real entries. Otherwise CDK's own switch skips
   * bundling, and the approval and apply functions point at a placeholder entry (NodejsFunction still
   * checks the entry exists, and those handlers may not be written yet).
   */
  readonly bundle?: boolean;
  /** What the CLI would put in CDK_DEFAULT_REGION. */
  readonly defaultRegion?: string;
}

export interface TestApp {
  readonly app: App;
  readonly settings: PassRoleDoctorSettings;
  readonly stacks: PassRoleDoctorStacks;
  readonly outdir: string;
}

/** Every assembly directory this test file made, removed when the file is done. */
const outdirs: string[] = [];
afterAll(() => {
  for (const outdir of outdirs.splice(0)) fs.rmSync(outdir, { recursive: true, force: true });
});

/** A fresh assembly directory, removed when the test file is done. */
export function testOutdir(): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'passrole-doctor-cdk-'));
  outdirs.push(outdir);
  return outdir;
}

export function buildTestApp(options: TestAppOptions = {}): TestApp {
  const outdir = testOutdir();
  const context: Record<string, unknown> = { ...cdkJsonContext(), ...options.context };
  // 'aws:cdk:bundling-stacks' is what `cdk synth --exclusively` sets: [] bundles no stack's assets.
  if (options.bundle !== true) context['aws:cdk:bundling-stacks'] = [];
  const app = new App({ context, outdir });
  const settings = readSettings((key) => app.node.tryGetContext(key), {
    defaultRegion: options.defaultRegion,
  });
  const remediation: Partial<PassRoleRemediationProps> =
    options.bundle === true
      ? {}
      : { approvalFunctionEntry: PLACEHOLDER_ENTRY, applyFunctionEntry: PLACEHOLDER_ENTRY };
  const stacks = addPassRoleDoctorStacks(app, settings, remediation);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, settings, stacks, outdir };
}

export interface MainStack {
  readonly stack: Stack;
  readonly remediation: PassRoleRemediation;
  readonly template: Template;
}

/** The main stack of a test app (see buildTestApp), with what the stack tests look at. */
export function buildMainStack(options: TestAppOptions = {}): MainStack {
  const { stacks } = buildTestApp(options);
  return {
    stack: stacks.main,
    remediation: stacks.main.remediation,
    template: Template.fromStack(stacks.main),
  };
}

export interface Violation {
  plugin: string;
  rule: string;
  severity: string;
  description: string;
  constructs: string[];
}

/**
 * Synthesizes with the validation plugins (cdk-nag, CloudFormation validation). Returns the
 * assembly and every violation the report lists; a failed validation does not throw here, so a
 * test can show which findings there were.
 */
export function synthesizeWithValidation(testApp: Pick<TestApp, 'app' | 'outdir'>): {
  assembly: CloudAssembly | null;
  violations: Violation[];
} {
  let assembly: CloudAssembly | null = null;
  const silence = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    assembly = testApp.app.synth();
  } catch (error) {
    // A failed validation throws after writing its report; anything else is a real error.
    if (readValidationReport(testApp.outdir).length === 0) throw error;
  } finally {
    silence.mockRestore();
  }
  return { assembly, violations: readValidationReport(testApp.outdir) };
}

interface ValidationReport {
  pluginReports?: {
    pluginName?: string;
    violations?: {
      ruleName?: string;
      severity?: string;
      description?: string;
      violatingConstructs?: { constructPath?: string }[];
    }[];
  }[];
}

/** CDK writes validation-report.json into the assembly whenever a validation plugin ran. */
function readValidationReport(outdir: string): Violation[] {
  const reportPath = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(reportPath)) return [];
  const report = JSON.parse(fs.readFileSync(reportPath, 'utf8')) as ValidationReport;
  return (report.pluginReports ?? []).flatMap((pluginReport) =>
    (pluginReport.violations ?? []).map((violation) => ({
      plugin: pluginReport.pluginName ?? 'unknown',
      rule: violation.ruleName ?? 'unknown',
      severity: violation.severity ?? 'unknown',
      description: violation.description ?? '',
      constructs: (violation.violatingConstructs ?? []).map((construct) => construct.constructPath ?? ''),
    })),
  );
}
