// Where the device key lives. The agent only asks for the public JWK and for ES256
// signatures, so an OS keystore or TPM backend (non-exportable key) can replace the
// file backend without touching enrolment or posture code.
import type { EcPublicJwk } from './compactJws.js';

export interface DeviceKey {
  /** Public half, as sent at enrolment. */
  readonly publicJwk: EcPublicJwk;
  /** ES256 signature over data: IEEE P1363 r || s, 64 bytes. */
  sign(data: Buffer): Promise<Buffer>;
}

export interface DeviceKeyStore {
  /** Human-readable location, e.g. `file:/home/u/.config/radgate/device-key.pem`. */
  readonly description: string;
  /** The existing key, or undefined when none was created yet. */
  load(): Promise<DeviceKey | undefined>;
  /** Creates a new P-256 key; refuses when one exists. */
  create(): Promise<DeviceKey>;
}
