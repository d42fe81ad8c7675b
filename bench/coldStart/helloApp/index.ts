import { app } from '@azure/functions';

// The reference for cold start: the smallest @azure/functions app, one anonymous HTTP function.
app.http('me', {
  route: 'me',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: () => ({ status: 200, jsonBody: { hello: 'world' } }),
});
