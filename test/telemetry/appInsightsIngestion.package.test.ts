import { runScenesAgainst } from './support/telemetryScene';

// The same tests as appInsightsIngestion.test.ts, against the deployment package (npm run package) instead of dist/.
runScenesAgainst('package');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- after the switch above, which an import would precede
require('./appInsightsIngestion.test');
