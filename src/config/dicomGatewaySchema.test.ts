// The gateways.dicom section: defaults, AE title rules and the plain-upstream guard.
import { describe, expect, it } from 'vitest';
import { dicomGatewayConfigSchema } from './dicomGatewaySchema.js';

const upstream = { name: 'pacs-rad', host: '127.0.0.1', port: 4242, aeTitle: 'PACS_UT', department: 'radiology' };

describe('dicomGatewayConfigSchema', () => {
  it('defaults to a disabled DICOM TLS listener on loopback port 2762', () => {
    const c = dicomGatewayConfigSchema.parse({});
    expect(c).toMatchObject({ enabled: false, listen: { host: '127.0.0.1', port: 2762 }, aeTitle: 'RADGATE', userAeTitles: [], upstreams: {} });
    expect(c.limits).toMatchObject({ artim: 10, maxDenials: 3, recheckInterval: 60 });
  });

  it('accepts a plain DICOM upstream on loopback', () => {
    expect(dicomGatewayConfigSchema.parse({ upstreams: { PACS_RAD: upstream } }).upstreams.PACS_RAD?.tls.enabled).toBe(false);
  });

  it.each([
    ['a plain upstream off loopback', { upstreams: { PACS_RAD: { ...upstream, host: '10.0.0.5' } } }],
    ['a TLS upstream without a CA file', { upstreams: { PACS_RAD: { ...upstream, host: 'pacs.example', tls: { enabled: true } } } }],
    ['an AE title with a control character', { userAeTitles: ['WS\u0001'] }],
    ['an AE title with a backslash', { aeTitle: 'A\\B' }],
    ['an AE title longer than 16 characters', { userAeTitles: ['ABCDEFGHIJKLMNOPQ'] }],
    ['a called AE title with a leading space', { upstreams: { ' PACS': upstream } }],
    ['a maximum PDU below 4 KB', { maxPduLength: 1024 }],
    ['an unknown key', { listen: { host: '127.0.0.1', port: 2762, plain: true } }],
  ])('refuses %s', (_n, input) => {
    expect(dicomGatewayConfigSchema.safeParse(input).success).toBe(false);
  });
});
