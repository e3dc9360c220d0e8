// The policy module: Cedar policy sets, the one authorize() path, its cache and tests.
export { loadPolicySet } from './loadPolicySet.js';
export { parsePolicySet } from './parsePolicySet.js';
export type { PolicySources, SourceFile } from './parsePolicySet.js';
export { PolicyInvalidError, isPolicyInvalidError, formatIssue } from './PolicyInvalidError.js';
export { createPolicyEngine } from './createPolicyEngine.js';
export type { PolicyEngine, PolicyEngineOptions, PolicyEngineHealth } from './createPolicyEngine.js';
export { contextDigest, uidString, decisionAuditEvent } from './decisionAuditEvent.js';
export type { AuditSink } from './decisionAuditEvent.js';
export { ACTIONS } from './types.js';
export type {
  CedarValue,
  Decision,
  DecisionContext,
  DecisionError,
  DecisionRequest,
  DeviceTier,
  EntityDescription,
  EntityRef,
  LoadedPolicy,
  PolicyIssue,
  PolicySet,
  RadgateAction,
} from './types.js';
export { loadPolicyTests, parsePolicyTests, PolicyTestFileError } from './loadPolicyTests.js';
export type { PolicyTestCase, EntitySpec, UidSpec } from './loadPolicyTests.js';
export { runPolicyTests, toDecisionRequest } from './runPolicyTests.js';
export type { PolicyTestResult, PolicyTestSummary } from './runPolicyTests.js';
export { explain } from './explain.js';
export type { Explanation } from './explain.js';
export { createMemoryAuditSink } from './memoryAuditSink.js';
export type { MemoryAuditSink } from './memoryAuditSink.js';
export { parseEntityUid } from './parseEntityUid.js';
export { NO_AUDIT, DECISION_FACTS, decisionFactsOf } from './decisionAuditEvent.js';
export type { DecisionFacts } from './decisionAuditEvent.js';
export * from './versions/index.js';
