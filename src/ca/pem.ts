// PEM armour (RFC 7468): strict decoding of exactly one block, standard encoding.
import { DerError } from './derReader.js';

export function pemEncode(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.length).toString('base64');
  let body = '';
  for (let i = 0; i < b64.length; i += 64) body += b64.slice(i, i + 64) + '\n';
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

const BLOCK = /^-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END ([A-Z0-9 ]+)-----$/;

/** Decodes one PEM block whose label is one of `labels`; surrounding whitespace only. */
export function pemDecode(text: string, labels: readonly string[]): Buffer {
  const m = BLOCK.exec(text.trim());
  if (!m) throw new DerError('not a PEM block');
  const [, begin, body, endLabel] = m;
  if (begin !== endLabel) throw new DerError('PEM BEGIN and END labels differ');
  if (!labels.includes(begin!)) throw new DerError(`unexpected PEM label "${begin}"`);
  const b64 = body!.replace(/[\r\n]/g, '');
  // RFC 4648: padding only at the end, length a multiple of four.
  if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new DerError('PEM body is not valid base64');
  const der = Buffer.from(b64, 'base64');
  if (der.length === 0) throw new DerError('empty PEM body');
  return der;
}

/** Splits a bundle into its PEM blocks (certificates, chains). */
export function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?-----END [A-Z0-9 ]+-----\r?\n?/g)?.map((b) => (b.endsWith('\n') ? b : b + '\n')) ?? [];
}
