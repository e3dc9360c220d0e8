// A real Orthanc PACS peer with synthetic studies, for integration tests and the demo.
export { startOrthanc, orthancInstalled, basicAuth } from './startOrthanc.js';
export type { StartOrthancOptions, OrthancHandle } from './startOrthanc.js';
export { orthancConfig, isValidAeTitle, ORTHANC_BINARY, DICOMWEB_PLUGIN } from './orthancConfig.js';
export type { OrthancConfigInput } from './orthancConfig.js';
export { makeSyntheticStudy, defaultFixturePath, DUMP2DCM } from './makeSyntheticStudy.js';
export type { MakeSyntheticStudyOptions, SyntheticInstance, SyntheticStudy, SyntheticStudies } from './makeSyntheticStudy.js';
export { syntheticDump, SYNTHETIC_UID_ROOT } from './syntheticDump.js';
export type { SyntheticInstanceFields } from './syntheticDump.js';
export { loadStudies } from './loadStudies.js';
export type { LoadedInstance } from './loadStudies.js';
export { DemoPacsError, isDemoPacsError } from './DemoPacsError.js';
export type { DemoPacsErrorCode } from './DemoPacsError.js';
export { startDemoPacs } from './startDemoPacs.js';
export type { DemoPacs } from './startDemoPacs.js';
