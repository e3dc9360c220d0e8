// The running kernel release, as the kernel itself reports it.
import { ok, unknown, type Collector } from './types.js';

const FILE = '/proc/sys/kernel/osrelease';

export const kernelCollector: Collector = {
  signal: 'kernel',
  async collect(probe) {
    const v = (await probe.readText(FILE))?.trim();
    return v ? ok(v, `file:${FILE}`) : unknown(`file:${FILE} (not readable)`);
  },
};
