import { app } from '@azure/functions';
import { startApp } from '../lib/app/startApp';
import { registerHealth } from './health';
import { registerJwks } from './jwks';
import { registerMe } from './me';
import { registerOpenApi } from './openapi';
import { registerOrders } from './orders';
import { registerRevocations } from './revocations';

// The app's entry module (package.json "main"), its one composition root: the runtime is built from
// the settings and every hook registered here, then handed to each function file, which only
// registers its routes.
const runtime = startApp(process.env, app.hook);
registerHealth(runtime);
registerJwks(runtime);
registerMe(runtime);
registerOpenApi(runtime);
registerOrders(runtime);
registerRevocations(runtime);
