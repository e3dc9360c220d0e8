export { RadgateError, isRadgateError, wrapError } from './RadgateError.js';
export type { RadgateErrorCode, RadgateErrorOptions } from './RadgateError.js';
export { toProblem, PROBLEM_CONTENT_TYPE } from './problem.js';
export type { Problem } from './problem.js';
