// The security-key functions bound to their dependencies, for routes and the server.
import { authenticationOptions } from './authenticationOptions.js';
import { issueEnrolmentCode } from './enrolmentCode.js';
import { listKeys, removeKey, renameKey, type RemoveKeyArgs } from './manageKeys.js';
import { registrationOptions } from './registrationOptions.js';
import type { WebauthnDeps } from './types.js';
import { verifyAuthentication, type VerifyAuthenticationArgs } from './verifyAuthentication.js';
import { verifyRegistration, type VerifyRegistrationArgs } from './verifyRegistration.js';

export type Webauthn = ReturnType<typeof createWebauthn>;

export function createWebauthn(deps: WebauthnDeps) {
  return {
    rp: deps.rp,
    registrationOptions: (args: Parameters<typeof registrationOptions>[1]) => registrationOptions(deps, args),
    verifyRegistration: (args: VerifyRegistrationArgs) => verifyRegistration(deps, args),
    authenticationOptions: (args: Parameters<typeof authenticationOptions>[1]) => authenticationOptions(deps, args),
    verifyAuthentication: (args: VerifyAuthenticationArgs) => verifyAuthentication(deps, args),
    listKeys: (userId: string) => listKeys(deps, userId),
    renameKey: (args: Parameters<typeof renameKey>[1]) => renameKey(deps, args),
    removeKey: (args: RemoveKeyArgs) => removeKey(deps, args),
    issueEnrolmentCode: (args: Parameters<typeof issueEnrolmentCode>[1]) => issueEnrolmentCode(deps, args),
  };
}
