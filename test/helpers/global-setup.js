// Jest global setup (runs once, before the test workers start): unpack the Chromium that the npm
// package @sparticuz/chromium ships (to /tmp/chromium) and hand its path to every worker through
// CHROMIUM_PATH, so parallel browser-test files never unpack it at the same time (a race that
// breaks a fresh machine). Skipped when CHROMIUM_PATH is already set.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = async function globalSetup() {
  if (process.env.CHROMIUM_PATH) return;
  const script = "import('@sparticuz/chromium').then((m) => m.default.executablePath()).then((p) => process.stdout.write(p))";
  try {
    const path = execFileSync(process.execPath, ['-e', script], { cwd: join(__dirname, '..', '..'), encoding: 'utf8', timeout: 120000 }).trim();
    if (path) process.env.CHROMIUM_PATH = path;
  } catch {
    // No packaged Chromium: the browser harness falls back to a system chromium and says so.
  }
};
