// Writes the run's real pass/fail counts to test-results/summary.json for .ci/run's last line.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = path.join(this.rootDir, 'test-results');
    fs.mkdirSync(dir, { recursive: true });
    const summary = {
      passed: results.numPassedTests,
      // A suite that fails to load has no failed tests of its own; count it so it is not hidden.
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      total: results.numTotalTests,
    };
    fs.writeFileSync(path.join(dir, 'summary.json'), `${JSON.stringify(summary)}\n`);
  }
}

module.exports = SummaryReporter;
