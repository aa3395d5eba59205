'use strict';
/**
 * The package as a user installs it: `npm pack`, then `npm install` of the
 * tarball into .tmp/e2e-install (a ts-free copy of
 * __tests__/support/packed-project.ts's installPackedPackage).
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { REPO_ROOT } = require('./cache');

const INSTALL_ROOT = path.join(REPO_ROOT, '.tmp', 'e2e-install');
const INSTALLED_PACKAGE = path.join(INSTALL_ROOT, 'node_modules', 'agenttape');

function installPackedPackage() {
  const packDir = path.join(REPO_ROOT, '.tmp', 'pack');
  fs.rmSync(packDir, { recursive: true, force: true });
  fs.mkdirSync(packDir, { recursive: true });
  const output = execFileSync('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: REPO_ROOT, encoding: 'utf8' });
  const tarball = path.join(packDir, output.trim().split('\n').pop());
  fs.rmSync(INSTALL_ROOT, { recursive: true, force: true });
  fs.mkdirSync(INSTALL_ROOT, { recursive: true });
  fs.writeFileSync(path.join(INSTALL_ROOT, 'package.json'), JSON.stringify({ name: 'agenttape-e2e', private: true, dependencies: { agenttape: `file:${tarball}` } }, null, 2));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', '--loglevel=error'], { cwd: INSTALL_ROOT, stdio: 'inherit' });
}

/** True when the installed package's dist matches this repository's dist (same files, same bytes). */
function installIsCurrent() {
  const ours = path.join(REPO_ROOT, 'dist');
  const theirs = path.join(INSTALLED_PACKAGE, 'dist');
  if (!fs.existsSync(theirs)) return false;
  const list = (root) =>
    fs
      .readdirSync(root, { recursive: true })
      .filter((f) => f.endsWith('.js'))
      .sort();
  const a = list(ours);
  const b = list(theirs);
  if (a.join('\n') !== b.join('\n')) return false;
  return a.every((f) => fs.readFileSync(path.join(ours, f)).equals(fs.readFileSync(path.join(theirs, f))));
}

/** Packs and installs unless the installed copy already holds the current dist. */
function ensurePackedPackage(log) {
  if (installIsCurrent()) {
    log('  packed install at .tmp/e2e-install is current (same dist); reusing it');
    return INSTALLED_PACKAGE;
  }
  log('  packing and installing the package into .tmp/e2e-install…');
  installPackedPackage();
  return INSTALLED_PACKAGE;
}

module.exports = { INSTALL_ROOT, INSTALLED_PACKAGE, installPackedPackage, ensurePackedPackage };
