/**
 * The page `agenttape view` writes, opened in a real browser: headless
 * Chromium renders it without a console message (no blocked script, no
 * failed load) and takes a screenshot of it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runAgentTape } from '../support/cli';
import { REPO_ROOT } from '../support/packed-project';
import { cassetteText, llmInteraction, toolInteraction, weatherInteraction } from '../support/sample-cassettes';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`Skipping the view screenshot test: ${CHROMIUM} is absent. Install it with: apt-get update && apt-get install -y chromium`);
}
const testWithChromium = hasChromium ? test : test.skip;

function screenshot(page: string, png: string): { status: number | null; log: string } {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-chromium-'));
  try {
    const result = spawnSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        '--enable-logging=stderr',
        '--v=0',
        '--window-size=1280,900',
        `--screenshot=${png}`,
        pathToFileURL(page).href,
      ],
      { encoding: 'utf8', timeout: 90_000 },
    );
    return { status: result.status, log: `${result.stdout}\n${result.stderr}` };
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

let project: string;
beforeAll(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-view-'));
});
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

testWithChromium('the side-by-side page renders in headless Chromium without console errors, and a screenshot is taken', () => {
  fs.mkdirSync(path.join(project, 'cassettes'), { recursive: true });
  fs.writeFileSync(path.join(project, 'cassettes', 'before.yaml'), cassetteText('agent answers', [llmInteraction(0), toolInteraction(1), weatherInteraction(2)]));
  fs.writeFileSync(path.join(project, 'cassettes', 'after.yaml'), cassetteText('agent answers', [llmInteraction(0), weatherInteraction(1, 16)]));
  const view = runAgentTape(['view', 'cassettes/before.yaml', 'cassettes/after.yaml', '--out', 'view.html'], project);
  expect(view.status).toBe(0);
  // Kept under .tmp/ (never committed) so a person can look at what the browser drew.
  const png = path.join(REPO_ROOT, '.tmp', 'agenttape-view.png');
  fs.mkdirSync(path.dirname(png), { recursive: true });
  fs.rmSync(png, { force: true });
  const { status, log } = screenshot(path.join(project, 'view.html'), png);
  expect(status).toBe(0);
  expect(log).not.toMatch(/:CONSOLE[(:]/);
  expect(log).not.toMatch(/Content Security Policy|ERR_FILE_NOT_FOUND|Uncaught/);
  const bytes = fs.readFileSync(png);
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  // A blank page compresses to a few kilobytes; text and colour blocks do not.
  expect(bytes.length).toBeGreaterThan(20_000);
});

testWithChromium('the check above does catch a page that misbehaves', () => {
  const bad = path.join(project, 'bad.html');
  fs.writeFileSync(bad, fs.readFileSync(path.join(project, 'view.html'), 'utf8').replace('</main>', '<script>console.log(1)</script></main>'));
  const { log } = screenshot(bad, path.join(project, 'bad.png'));
  expect(log).toMatch(/:CONSOLE[(:].*Content Security Policy/);
});
