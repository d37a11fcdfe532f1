/**
 * The demo is for people: an axe-core audit (WCAG 2.0/2.1 A and AA rules) of the page with its feed shown, on
 * a desktop and a phone viewport, with the profile form open, finds no violations.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { openDemo } from './support/demo';

// WCAG 2.x A + AA, and axe's best practices (a page has one level-one heading, landmarks hold all content).
const RULE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(RULE_TAGS).analyze();
  // One line per failing element, so a regression names the rule and the element it hit.
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${n.failureSummary ?? ''}`));
}

test('the demo passes an axe-core WCAG 2.1 AA audit (desktop and phone)', async ({ page }) => {
  await openDemo(page, { device: 'wasm' });
  await page.waitForTimeout(800); // finished progress bars fade out: audit the settled page
  expect(await violations(page)).toEqual([]);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator('#profile-panel summary').click();
  expect(await violations(page)).toEqual([]);
});
