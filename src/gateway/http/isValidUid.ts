// DICOM UID syntax (PS3.5 9.1), the only thing allowed in a UID path segment or UID query value.

/** PS3.5 9.1: at most 64 characters. */
export const MAX_UID_LENGTH = 64;

// PS3.5 9.1: components of digits separated by single dots; no leading zero unless the component is "0".
const UID = /^(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))*$/;

export function isValidUid(s: string): boolean {
  return s.length > 0 && s.length <= MAX_UID_LENGTH && UID.test(s);
}

/** Most frames accepted in one frame list. */
export const MAX_FRAMES = 1000;
// NumberOfFrames is IS (a signed 32-bit integer string), so a frame number never exceeds 2^31 - 1.
const MAX_FRAME_NUMBER = 2 ** 31 - 1;

/** PS3.18 10.4.1.1.5: comma-separated positive frame numbers; here also bounded and without duplicates. */
export function parseFrameList(s: string): number[] | null {
  const parts = s.split(',');
  if (parts.length > MAX_FRAMES) return null;
  const seen = new Set<number>();
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[1-9][0-9]{0,9}$/.test(p)) return null;
    const n = Number(p);
    if (n > MAX_FRAME_NUMBER || seen.has(n)) return null;
    seen.add(n);
    out.push(n);
  }
  return out;
}
