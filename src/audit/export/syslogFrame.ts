// RFC 5424 syslog messages carrying ATNA XML, framed for RFC 5425 / RFC 6587 octet
// counting ("MSG-LEN SP SYSLOG-MSG"). The audit seq rides in structured data so a collector
// can detect the duplicates that at-least-once delivery may produce.

/** IHE ITI-20: MSGID of a DICOM/RFC 3881 audit message. */
export const ATNA_MSGID = 'IHE+RFC-3881';
/** RFC 5424 §7.2.2 facility 10: security/authorization messages. */
export const FACILITY_AUTHPRIV = 10;
/** SD-ID for radgate's structured data; 32473 is the documentation-reserved enterprise number (RFC 5612). */
export const SD_ID = 'radgate@32473';

const BOM = '\uFEFF';

export interface SyslogHeader {
  hostname: string;
  appName: string;
  procId: string;
}

/** RFC 5424 §6.2: header fields are PRINTUSASCII without spaces, bounded; empty becomes NILVALUE. */
export function headerField(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean.length > 0 ? clean : '-';
}

/** RFC 5424 §6.3.3: PARAM-VALUE escapes '"', '\' and ']'. */
export function sdParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** One SYSLOG-MSG (without framing): `<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] BOM MSG`. */
export function syslogMessage(h: SyslogHeader, o: { severity: number; time: string; seq: number; msg: string }): string {
  const pri = FACILITY_AUTHPRIV * 8 + o.severity;
  const ts = Number.isNaN(Date.parse(o.time)) ? '-' : new Date(o.time).toISOString();
  return `<${pri}>1 ${ts} ${headerField(h.hostname, 255)} ${headerField(h.appName, 48)} ${headerField(h.procId, 128)} ${ATNA_MSGID} [${SD_ID} seq="${sdParamValue(String(o.seq))}"] ${BOM}${o.msg}`;
}

/** RFC 6587 §3.4.1 octet-counting frame. */
export function octetFrame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

export interface ParsedFrame {
  message: string;
  /** Bytes consumed from the input. */
  consumed: number;
}

/**
 * Reads octet-counted frames from `buf` (collector side, tests and tools). Returns the
 * complete frames and what is left; throws on a malformed length field.
 */
export function parseOctetFrames(buf: Buffer, maxFrame = 1 << 20): { frames: string[]; rest: Buffer } {
  const frames: string[] = [];
  let off = 0;
  for (;;) {
    const sp = buf.indexOf(0x20, off);
    if (sp < 0) {
      if (buf.length - off > 8) throw new Error('syslog frame: length field too long');
      break;
    }
    const lenText = buf.subarray(off, sp).toString('ascii');
    if (!/^[1-9][0-9]{0,7}$/.test(lenText)) throw new Error(`syslog frame: bad length field "${lenText.slice(0, 16)}"`);
    const len = Number(lenText);
    if (len > maxFrame) throw new Error(`syslog frame: ${len} octets exceeds ${maxFrame}`);
    if (buf.length < sp + 1 + len) break;
    frames.push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
    off = sp + 1 + len;
  }
  return { frames, rest: buf.subarray(off) };
}

export interface ParsedSyslog {
  pri: number;
  version: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  seq?: number;
  msg: string;
}

/** Parses one RFC 5424 message as radgate writes it (tests and tools); undefined when it does not fit. */
export function parseSyslogMessage(s: string): ParsedSyslog | undefined {
  const m = /^<(\d{1,3})>(\d) (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: ([\s\S]*))?$/.exec(s);
  if (!m) return undefined;
  const seq = /seq="(\d+)"/.exec(m[8]!);
  const msg = (m[9] ?? '').replace(/^\uFEFF/, '');
  return { pri: Number(m[1]), version: Number(m[2]), timestamp: m[3]!, hostname: m[4]!, appName: m[5]!, procId: m[6]!, msgId: m[7]!, ...(seq ? { seq: Number(seq[1]) } : {}), msg };
}
