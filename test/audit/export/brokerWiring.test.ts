// startBroker with monitoring enabled: the ATNA exporter delivers the broker's own events
// to rsyslog, and analytics is on the broker with riskScore.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSyslogMessage } from '../../../src/audit/export/syslogFrame.js';
import { startBroker } from '../../../src/server.js';
import { freePort } from '../../helpers/ports.js';
import { testConfig, tmpHome } from '../../helpers/tmpHome.js';
import { IN_CI, makePki, rsyslogAvailable, startRsyslog, waitFor } from './helpers.js';

const dir = tmpHome('radgate-monwire-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!rsyslogAvailable() && !IN_CI)('broker monitoring wiring', () => {
  it('exports system.start as ATNA 110100 to rsyslog and exposes analytics.riskScore', async () => {
    const pki = makePki(path.join(dir, 'pki'));
    mkdirSync(path.join(dir, 'rs'));
    const rs = await startRsyslog({ dir: path.join(dir, 'rs'), port: await freePort(), cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert });
    const home = path.join(dir, 'home');
    const broker = await startBroker(
      testConfig(home, {
        'listen.control.port': await freePort(),
        'monitoring.atna.enabled': true,
        'monitoring.atna.port': rs.port,
        'monitoring.atna.caFile': pki.caCert,
        'monitoring.analytics.enabled': true,
      }),
    );
    try {
      const line = await waitFor(() => rs.lines().find((l) => l.includes('110100')), 15_000, 'system.start at rsyslog');
      expect(parseSyslogMessage(line)?.msgId).toBe('IHE+RFC-3881');
      expect(broker.analytics?.riskScore('nobody')).toBe(0);
      expect(broker.exporters.atna?.status().connected).toBe(true);
    } finally {
      await broker.close();
      await rs.stop();
    }
  });
});
