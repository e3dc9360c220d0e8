// Devices: enrolment, signed posture, trust tiers, certificates for devices and service
// principals, and the revocation wiring.
export { createDevices } from './createDevices.js';
export type { CreateDevicesOptions, Devices } from './createDevices.js';
export type { DevicesDeps, GrantLookup } from './devicesDeps.js';
export { wireRevocation } from './wireRevocation.js';
export type { RevocationWiring } from './wireRevocation.js';
export { DeviceError, isDeviceError } from './DeviceError.js';
export type { DeviceFailureReason } from './DeviceError.js';
export { computeTier } from './computeTier.js';
export type { Tier, TierResult } from './computeTier.js';
export { computeCertificateTtl } from './computeCertificateTtl.js';
export { postureState, deviceContext, deviceEntity } from './deviceEntity.js';
export { verifyPostureReport, POSTURE_TYP } from './verifyPostureReport.js';
export { verifyEnrolmentRequest, ENROL_TYP } from './verifyEnrolmentRequest.js';
export type { DevicesEnv } from './routes.js';
export { approveDevice, revokeDevice } from './adminDevices.js';
