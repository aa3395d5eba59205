/**
 * The package as a user installs it: `npm pack`, then `npm install` of the
 * tarball into a project under `.tmp/`. Fixture projects live in folders of
 * that project, so `preset: 'agenttape'` resolves to the installed tarball and
 * jest, openai, axios… resolve from this repository's node_modules.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const INSTALL_ROOT = path.join(REPO_ROOT, '.tmp', 'e2e-install');
const JEST_BIN = path.join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js');

/** Packs the repository and installs the tarball into INSTALL_ROOT (once per `npm test`). */
export function installPackedPackage(): void {
  const packDir = path.join(REPO_ROOT, '.tmp', 'pack');
  fs.rmSync(packDir, { recursive: true, force: true });
  fs.mkdirSync(packDir, { recursive: true });
  const output = execFileSync('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: REPO_ROOT, encoding: 'utf8' });
  const tarball = path.join(packDir, output.trim().split('\n').pop()!);
  fs.rmSync(INSTALL_ROOT, { recursive: true, force: true });
  fs.mkdirSync(INSTALL_ROOT, { recursive: true });
  fs.writeFileSync(path.join(INSTALL_ROOT, 'package.json'), JSON.stringify({ name: 'agenttape-e2e', private: true, dependencies: { agenttape: `file:${tarball}` } }, null, 2));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', '--loglevel=error'], {
    cwd: INSTALL_ROOT,
    stdio: 'inherit',
  });
}

/** A fixture project: a folder with a jest config and test files. */
export interface FixtureProject {
  dir: string;
  write(relative: string, content: string): void;
  read(relative: string): string;
  exists(relative: string): boolean;
  files(relative: string): string[];
  /**
   * Runs Jest in the fixture. Asynchronous, so a server in the calling test process keeps answering.
   * The run is killed after `timeoutMs` (default two minutes).
   */
  run(args?: string[], env?: Record<string, string | undefined>, options?: { timeoutMs?: number }): Promise<JestRun>;
  remove(): void;
}

/** The outcome of one Jest run on a fixture. */
export interface JestRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together. */
  output: string;
}

// Variables by which Jest (ci-info) detects CI; cleared so each run says explicitly whether it is CI.
const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION', 'BUILD_NUMBER', 'RUN_ID', 'GITHUB_ACTIONS', 'GITLAB_CI', 'BUILDKITE', 'CIRCLECI', 'TRAVIS', 'JENKINS_URL', 'TF_BUILD'];

/**
 * Creates a fixture project with `preset: 'agenttape'` (plus extra config).
 * Runs are not CI unless `--ci` is passed or `CI` is set in `env`; AGENTTAPE_MODE is unset unless given.
 */
export function createFixture(name: string, extraConfig: Record<string, unknown> = {}): FixtureProject {
  const dir = fs.mkdtempSync(path.join(INSTALL_ROOT, `${name.replace(/[^a-z0-9-]/gi, '-')}-`));
  const config = { preset: 'agenttape', rootDir: '.', ...extraConfig };
  fs.writeFileSync(path.join(dir, 'jest.config.js'), `module.exports = ${JSON.stringify(config, null, 2)};\n`);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, private: true }, null, 2));
  const full = (relative: string) => path.join(dir, relative);
  return {
    dir,
    write(relative, content) {
      fs.mkdirSync(path.dirname(full(relative)), { recursive: true });
      fs.writeFileSync(full(relative), content);
    },
    read: (relative) => fs.readFileSync(full(relative), 'utf8'),
    exists: (relative) => fs.existsSync(full(relative)),
    files(relative) {
      const root = full(relative);
      if (!fs.existsSync(root)) return [];
      return (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(root, f)).isFile()).sort();
    },
    run(args = [], env = {}, options = {}) {
      const base: Record<string, string | undefined> = { ...process.env };
      for (const name of CI_VARIABLES) delete base[name];
      delete base.AGENTTAPE_MODE;
      delete base.OPENAI_API_KEY;
      delete base.ANTHROPIC_API_KEY;
      // An explicit --ci flag or CI variable decides; otherwise the run is not CI.
      const ciArgs = args.some((a) => a === '--ci' || a.startsWith('--ci=')) || env.CI !== undefined ? [] : ['--ci=false'];
      const child = spawn(process.execPath, [JEST_BIN, '--colors=false', ...ciArgs, ...args], {
        cwd: dir,
        env: { ...base, FORCE_COLOR: '0', ...env },
        timeout: options.timeoutMs ?? 120_000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      return new Promise((resolve, reject) => {
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, stdout, stderr, output: `${stdout}\n${stderr}` }));
      });
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
