// A policy set that does not load: every problem with its file, line and Cedar's message.
import { RadgateError } from '../errors/index.js';
import type { PolicyIssue } from './types.js';

export class PolicyInvalidError extends RadgateError {
  readonly issues: readonly PolicyIssue[];

  constructor(issues: readonly PolicyIssue[], options: { cause?: unknown } = {}) {
    super('policy-invalid', issues.map(formatIssue).join('\n') || 'policy set is invalid', options);
    this.name = 'PolicyInvalidError';
    this.issues = issues;
  }
}

export function formatIssue(issue: PolicyIssue): string {
  return `${issue.file}:${issue.line}:${issue.col}: ${issue.message}`;
}

export function isPolicyInvalidError(err: unknown): err is PolicyInvalidError {
  return err instanceof PolicyInvalidError;
}
