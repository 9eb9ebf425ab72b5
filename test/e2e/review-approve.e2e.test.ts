/**
 * A reviewer's path in a real browser (Debian's chromium through playwright-core): the review link
 * taken from the published message, the page, Approve, the result, the decided page, a tampered link.
 * The local server runs in-process over the seed (the same approval function the stack deploys).
 * On a failing step the page is saved to test-artifacts/ for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startLocalServer, type LocalServer } from '../../lambda/handlers/local/local-server';

const ROOT = join(__dirname, '../..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // Containers often have a 64 MB /dev/shm, too small for chromium's shared memory.
  '--disable-dev-shm-usage',
];

let browser: Browser;
let server: LocalServer;
let page: Page;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  server = await startLocalServer({
    event: join(ROOT, 'examples/seed/denial.json'),
    snapshot: join(ROOT, 'examples/seed/account.json'),
    port: 0,
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterEach(async () => {
  await page?.close();
  await server?.close();
});

/** Runs the test's steps; when one fails, the page as it stood goes to test-artifacts/<name>-failure.png. */
async function withScreenshotOnFailure(name: string, steps: () => Promise<void>): Promise<void> {
  try {
    await steps();
  } catch (error) {
    const path = join(ARTIFACTS, `${name}-failure.png`);
    await page.screenshot({ path, fullPage: true }).catch(() => undefined);
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n(screenshot: ${path})`, {
      cause: error,
    });
  }
}

/** The review link as a person finds it: in the email the team channel received. */
function reviewLinkFromPublishedMessage(): string {
  const [message] = server.messages;
  if (message === undefined) throw new Error('nothing was published');
  const links = message.email.match(/https?:\/\/\S+\/proposals\/\S+\?token=[A-Za-z0-9_-]+/g) ?? [];
  expect(links).toHaveLength(1);
  const [link] = links;
  if (link === undefined) throw new Error('the email carries no review link');
  // The short text (SNS default) carries the same link.
  expect(message.text).toContain(link);
  return link;
}

/** The link with one character of its token changed (not the last one: its low bits are padding). */
function tamperedLink(link: string): string {
  const url = new URL(link);
  const token = url.searchParams.get('token') ?? '';
  const at = Math.floor(token.length / 2);
  url.searchParams.set(
    'token',
    `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`,
  );
  return url.toString();
}

function onlyProposal() {
  const proposal = server.proposals[0]?.record.proposal;
  if (proposal === undefined || proposal === null) throw new Error('the seed should yield a proposal');
  return proposal;
}

describe('reviewing and approving the seed proposal in chromium', () => {
  it('shows the policy and the risks, approves, reports applied and verified, then shows it decided', async () => {
    await withScreenshotOnFailure('review-approve', async () => {
      const link = reviewLinkFromPublishedMessage();
      const proposal = onlyProposal();

      const opened = await page.goto(link);
      expect(opened?.status()).toBe(200);
      expect(await page.locator('h1').textContent()).toBe('iam:PassRole denial: review proposal');
      expect(await page.locator('#status').textContent()).toBe('pending');
      expect(JSON.parse((await page.locator('#policy').textContent()) ?? '')).toEqual(proposal.document);
      expect(proposal.risk.length).toBeGreaterThan(0);
      expect(await page.locator('ul.risk:not(#gains) li').allTextContents()).toEqual(proposal.risk);
      // What the grant adds: the seed's role reaches two buckets the group's members cannot.
      const escalation = proposal.escalation;
      expect(escalation?.kind === 'analysed' && escalation.level).toBe('contained');
      expect(await page.locator('#gains li').count()).toBe(escalation?.gains.length);
      await page.screenshot({ path: join(ARTIFACTS, 'review-page.png'), fullPage: true });

      await Promise.all([page.waitForURL(/\/approve$/), page.locator('button.approve').click()]);
      expect(await page.locator('#result').textContent()).toBe('Applied and verified');
      expect(await page.locator('#message').textContent()).toContain(
        `applied to group ${proposal.target.name}, read back from IAM and verified by simulation`,
      );
      // The seed's verification assumed MFA present: the page says so, not "the denied request is now allowed".
      expect(await page.locator('#message').textContent()).toContain(
        'the denied request is now allowed with MFA present (assumed by the simulation: the denied request did not have it)',
      );
      expect(await server.snapshot.getInlinePolicy(proposal.target, proposal.policyName)).toEqual(
        proposal.document,
      );

      // Back on the review link (a reload of what the reviewer opened): decided, no buttons.
      const reloaded = await page.goto(link);
      expect(reloaded?.status()).toBe(200);
      // Decided: titled by what became of it, no longer "review proposal".
      expect(await page.title()).toBe(`Applied and verified proposal ${server.proposals[0]?.record.id}`);
      expect(await page.locator('h1').textContent()).toBe(
        'iam:PassRole denial: applied and verified proposal',
      );
      expect(await page.locator('#status').textContent()).toBe('verified');
      expect(await page.locator('#outcome').textContent()).toContain('Applied and verified');
      expect(await page.locator('button').count()).toBe(0);
      expect(
        await page.locator('ul li', { hasText: ': approved by link holder from 127.0.0.1' }).count(),
      ).toBe(1);
      await page.screenshot({ path: join(ARTIFACTS, 'review-page-verified.png'), fullPage: true });
    });
  });

  it('names the members who gain it on a 390 px phone screen, none broken mid-word', async () => {
    await withScreenshotOnFailure('members-phone', async () => {
      const link = reviewLinkFromPublishedMessage();
      const names = onlyProposal().target.memberNames ?? [];
      expect(names.length).toBeGreaterThan(1);
      await page.setViewportSize({ width: 390, height: 844 });
      expect((await page.goto(link))?.status()).toBe(200);
      expect(await page.locator('#members .member').allTextContents()).toEqual(names);
      // One box per name: a name wrapped inside itself would be two.
      const boxes = await page
        .locator('#members .member')
        .evaluateAll((elements) => elements.map((element) => element.getClientRects().length));
      expect(boxes).toEqual(names.map(() => 1));
      // Values wrap where they must (long ARNs), and nothing pushes the page wider than the screen.
      const dd = await page
        .locator('dd')
        .first()
        .evaluate((element) => element.ownerDocument.defaultView?.getComputedStyle(element).overflowWrap);
      expect(dd).toBe('anywhere');
      const width = await page.locator('html').evaluate((element) => element.scrollWidth);
      expect(width).toBeLessThanOrEqual(390);
      await page.screenshot({ path: join(ARTIFACTS, 'review-page-390.png'), fullPage: true });
    });
  });

  it('answers a tampered review link with the 403 page', async () => {
    await withScreenshotOnFailure('tampered-link', async () => {
      const link = reviewLinkFromPublishedMessage();
      const response = await page.goto(tamperedLink(link));
      expect(response?.status()).toBe(403);
      expect(await page.locator('#result').textContent()).toBe('This link is not valid');
      expect(await page.locator('form').count()).toBe(0);
      expect(await page.content()).not.toContain(onlyProposal().policyName);
    });
  });
});
