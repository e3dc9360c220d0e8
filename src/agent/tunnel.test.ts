import { describe, expect, it } from 'vitest';
import { parseListen, parseReply, tunnelPreface } from './tunnel.js';

describe('agent tunnel helpers', () => {
  it('parses --listen host:port forms and refuses others', () => {
    expect(parseListen('127.0.0.1:2222')).toEqual({ host: '127.0.0.1', port: 2222 });
    expect(parseListen('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    expect(parseListen('[::1]:2222')).toEqual({ host: '::1', port: 2222 });
    for (const bad of ['2222', 'host:', ':22', 'host:99999', 'a b:22', 'host:22:33']) expect(() => parseListen(bad), bad).toThrow(/--listen expects host:port/);
  });

  it('builds the preface the gateway expects and refuses names it would refuse', () => {
    expect(tunnelPreface('ct-1').toString('hex')).toBe(Buffer.concat([Buffer.from('RGT1'), Buffer.from([0, 4]), Buffer.from('ct-1')]).toString('hex'));
    for (const bad of ['', 'A', '-x', 'a'.repeat(65), 'a/b']) expect(() => tunnelPreface(bad), bad).toThrow();
  });

  it('reads a reply split anywhere and refuses anything else', () => {
    const reply = Buffer.concat([Buffer.from('RGT1'), Buffer.from([1, 15]), Buffer.from('no-active-grant')]);
    for (let i = 0; i < reply.length; i++) expect(parseReply(reply.subarray(0, i)).status).toBe('need-more');
    expect(parseReply(reply)).toMatchObject({ status: 'done', open: false, reason: 'no-active-grant' });
    expect(parseReply(Buffer.concat([Buffer.from('RGT1'), Buffer.from([7, 0])]))).toEqual({ status: 'bad' });
    expect(parseReply(Buffer.from('SSH-2.0'))).toEqual({ status: 'bad' });
  });
});
