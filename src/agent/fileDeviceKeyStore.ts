// The default DeviceKeyStore: an ECDSA P-256 key as PKCS#8 PEM in <home>/device-key.pem,
// mode 0600; a key file that group or others can read is refused, not silently fixed.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { AgentError } from './AgentError.js';
import { ensureAgentHome } from './agentHome.js';
import type { EcPublicJwk } from './compactJws.js';
import type { DeviceKey, DeviceKeyStore } from './DeviceKeyStore.js';
import { readPrivateFile, writePrivateFile } from './privateFile.js';

export const DEVICE_KEY_FILE = 'device-key.pem';

export function fileDeviceKeyStore(home: string): DeviceKeyStore {
  const file = path.join(home, DEVICE_KEY_FILE);
  return {
    description: `file:${file}`,
    async load() {
      const pem = readPrivateFile(file, 0o077);
      if (pem === undefined) return undefined;
      let key: KeyObject;
      try {
        key = createPrivateKey(pem);
      } catch (err) {
        throw new AgentError('bad-file', `${file} does not hold a readable private key`, { cause: err });
      }
      if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw new AgentError('bad-file', `${file} is not an ECDSA P-256 key`);
      }
      return deviceKeyFrom(key);
    },
    async create() {
      ensureAgentHome(home);
      if (existsSync(file)) throw new AgentError('already-enrolled', `${file} already exists; refusing to replace the device key`);
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      writePrivateFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      return deviceKeyFrom(privateKey);
    },
  };
}

function deviceKeyFrom(privateKey: KeyObject): DeviceKey {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    throw new AgentError('bad-file', 'the device key is not an ECDSA P-256 key');
  }
  const publicJwk: EcPublicJwk = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  return {
    publicJwk,
    sign: async (data) => sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }),
  };
}
