// DIMSE message assembly for one direction (PS3.7 6.3.1, PS3.8 9.3.5 and Annex E): the
// command fragments of a message come first, then its data set fragments, all on one
// presentation context, one message at a time. Anything else is a protocol violation.
import { decodeCommandSet, MAX_COMMAND_LENGTH, type CommandSet } from './commandSet.js';
import { NO_DATASET } from './constants.js';
import type { Pdv } from './pduTypes.js';

export type TrackResult =
  | { kind: 'command-fragment' }
  | { kind: 'command'; command: CommandSet; hasData: boolean }
  | { kind: 'data'; last: boolean }
  | { kind: 'violation'; code: string; detail: string };

export interface MessageTracker {
  track(pdv: Pdv): TrackResult;
  /** The presentation context of the message in progress. */
  readonly contextId: number | undefined;
  /** True between messages. */
  readonly idle: boolean;
}

export function createMessageTracker(isContext: (id: number) => boolean, maxCommandLength = MAX_COMMAND_LENGTH): MessageTracker {
  let state: 'idle' | 'command' | 'data' = 'idle';
  let contextId: number | undefined;
  let parts: Buffer[] = [];
  let size = 0;
  const violation = (code: string, detail: string): TrackResult => ({ kind: 'violation', code, detail });

  return {
    track(pdv) {
      if (!isContext(pdv.contextId)) return violation('context-unknown', `PDV on presentation context ${pdv.contextId}, which was not accepted`);
      if (state !== 'idle' && pdv.contextId !== contextId) return violation('fragments-out-of-order', 'a PDV of another presentation context inside a message');
      if (pdv.command) {
        if (state === 'data') return violation('fragments-out-of-order', 'a command fragment after the data set started');
        state = 'command';
        contextId = pdv.contextId;
        size += pdv.data.length;
        if (size > maxCommandLength) return violation('command-too-large', `command set over ${maxCommandLength} bytes`);
        parts.push(pdv.data);
        if (!pdv.last) return { kind: 'command-fragment' };
        const decoded = decodeCommandSet(parts.length === 1 ? parts[0]! : Buffer.concat(parts), maxCommandLength);
        parts = [];
        size = 0;
        if (!decoded.ok) return violation(decoded.error, decoded.detail);
        const hasData = decoded.value.dataSetType !== NO_DATASET;
        state = hasData ? 'data' : 'idle';
        return { kind: 'command', command: decoded.value, hasData };
      }
      if (state === 'idle') return violation('data-before-command', 'a data set fragment without a command');
      if (state === 'command') return violation('fragments-out-of-order', 'a data set fragment before the last command fragment');
      if (pdv.last) state = 'idle';
      return { kind: 'data', last: pdv.last };
    },
    get contextId() {
      return contextId;
    },
    get idle() {
      return state === 'idle';
    },
  };
}
