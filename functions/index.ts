import { app } from '@azure/functions';
import { installAppRuntime } from '../lib/app/runtime';
import { startApp } from '../lib/app/startApp';

// The app's entry module (package.json "main"), its one composition root: the runtime is built from
// the settings and every hook registered here, before the function files load and register their routes.
installAppRuntime(startApp(process.env, app.hook));

/* eslint-disable @typescript-eslint/no-require-imports -- loaded in this order, after startApp: imports would run first */
require('./health');
require('./jwks');
require('./me');
require('./orders');
/* eslint-enable @typescript-eslint/no-require-imports */
