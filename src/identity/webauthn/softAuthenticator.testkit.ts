// Test-only: a software WebAuthn authenticator (ECDSA P-256, attestation "none") that
// builds real registration and assertion responses, so unit tests exercise
// @simplewebauthn/server end to end and can forge every bad input on purpose.
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor>;

/** Minimal CBOR (RFC 8949) encoder: unsigned/negative ints, bytes, text, arrays, maps. */
export function cbor(v: Cbor): Buffer {
  const head = (major: number, n: number): Buffer => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
    if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(n, 1);
    return b;
  };
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') {
    const s = Buffer.from(v, 'utf8');
    return Buffer.concat([head(3, s.length), s]);
  }
  if (v instanceof Uint8Array) return Buffer.concat([head(2, v.length), v]);
  if (Array.isArray(v)) return Buffer.concat([head(4, v.length), ...v.map(cbor)]);
  const parts: Buffer[] = [head(5, v.size)];
  for (const [k, x] of v) parts.push(cbor(k), cbor(x));
  return Buffer.concat(parts);
}

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();
const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

export interface Ceremony {
  /** Defaults to the authenticator's origin. */
  origin?: string;
  /** RP ID whose hash goes into authenticatorData; defaults to the options' rpId. */
  rpId?: string;
  /** Overrides the challenge from the options. */
  challenge?: string;
  type?: string;
  userPresent?: boolean;
  userVerified?: boolean;
}

export class SoftAuthenticator {
  readonly credentialId: Buffer = randomBytes(32);
  readonly aaguid: string;
  /** The signature counter the next assertion will carry (then incremented). */
  counter: number;
  readonly origin: string;
  readonly rpId: string;
  private readonly privateKey: KeyObject;
  private readonly coseKey: Buffer;

  constructor(opts: { origin: string; rpId: string; aaguid?: string; counter?: number }) {
    this.origin = opts.origin;
    this.rpId = opts.rpId;
    this.aaguid = opts.aaguid ?? randomUUID();
    this.counter = opts.counter ?? 0;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    // COSE_Key (RFC 9053): kty EC2, alg ES256, crv P-256, x, y.
    this.coseKey = cbor(
      new Map<Cbor, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
  }

  get id(): string {
    return b64u(this.credentialId);
  }

  register(options: PublicKeyCredentialCreationOptionsJSON, c: Ceremony = {}): RegistrationResponseJSON {
    const clientDataJSON = this.clientData(c.type ?? 'webauthn.create', c.challenge ?? options.challenge, c);
    const idLen = Buffer.alloc(2);
    idLen.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([
      this.authHeader(c.rpId ?? options.rp.id ?? this.rpId, FLAG_AT | this.flags(c), this.counter),
      Buffer.from(this.aaguid.replace(/-/g, ''), 'hex'),
      idLen,
      this.credentialId,
      this.coseKey,
    ]);
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: { clientDataJSON: b64u(clientDataJSON), attestationObject: b64u(attestationObject), transports: ['usb'] },
      clientExtensionResults: {},
      authenticatorAttachment: 'cross-platform',
    };
  }

  /** Signs an assertion; the counter advances by one first unless `counter` is forced. */
  authenticate(options: PublicKeyCredentialRequestOptionsJSON, c: Ceremony & { counter?: number } = {}): AuthenticationResponseJSON {
    const counter = c.counter ?? ++this.counter;
    const clientDataJSON = this.clientData(c.type ?? 'webauthn.get', c.challenge ?? options.challenge, c);
    const authData = this.authHeader(c.rpId ?? options.rpId ?? this.rpId, this.flags(c), counter);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), this.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: { clientDataJSON: b64u(clientDataJSON), authenticatorData: b64u(authData), signature: b64u(signature) },
      clientExtensionResults: {},
      authenticatorAttachment: 'cross-platform',
    };
  }

  private flags(c: Ceremony): number {
    return (c.userPresent === false ? 0 : FLAG_UP) | (c.userVerified === false ? 0 : FLAG_UV);
  }

  private clientData(type: string, challenge: string, c: Ceremony): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: c.origin ?? this.origin, crossOrigin: false }), 'utf8');
  }

  private authHeader(rpId: string, flags: number, counter: number): Buffer {
    const n = Buffer.alloc(4);
    n.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), n]);
  }
}
