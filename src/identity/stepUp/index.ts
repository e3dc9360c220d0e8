// Step-up: fresh security-key verification before sensitive actions.
export { requireFreshAuth, assertFreshAuth, STEP_UP_HEADER } from './requireFreshAuth.js';
export type { StepUpDeps } from './requireFreshAuth.js';
export { isAuthFresh } from './isAuthFresh.js';
