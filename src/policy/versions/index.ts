// Policy versions: content-addressed sets in the database, two-person activation,
// rollback, diff and impact preview.
export { createPolicyVersions } from './createPolicyVersions.js';
export type { PolicyVersions, PolicyVersionsDeps, VersionActor, VersionView, ProposalResult } from './createPolicyVersions.js';
export { PolicyVersionError, isPolicyVersionError } from './PolicyVersionError.js';
export type { PolicyVersionFailure, FailedTest } from './PolicyVersionError.js';
export { canonicalFiles, versionId, readVersionFiles, MAX_FILES, MAX_FILE_BYTES } from './versionFiles.js';
export type { VersionFiles } from './versionFiles.js';
export { diffVersions } from './diffVersions.js';
export type { VersionDiff, PolicyChangeEntry, FileChangeEntry } from './diffVersions.js';
export { lineDiff, diffText } from './lineDiff.js';
export type { DiffLine } from './lineDiff.js';
export { impactPreview } from './impactPreview.js';
export type { ImpactReport, ImpactOptions, ActionImpact, FlipExample } from './impactPreview.js';
export { createFactsRecorder } from './factsRecorder.js';
export type { FactsRecorder } from './factsRecorder.js';
export { policySetFromFiles } from './policySetFromFiles.js';
