// The dev tools and tests reach the stand-ins with the same CA-trusting fetch the app's key fetch uses.
export { createCaTrustingFetch, type CaTrustingFetch } from '../../lib/net/caTrustingFetch';
