import { describe, expect, it } from 'vitest';
import { isLoopbackHost, localEndpointsFor, sourceAddressesFor } from '../../dist/runner/source-addresses.js';

describe('source-address spreading', () => {
  const ports = 28_232; // Linux default range 32768–60999

  it('needs none while one address has enough ports', () => {
    expect(sourceAddressesFor(['ws://127.0.0.1:60000/ws'], 20_000, undefined, ports)).toEqual([]);
  });

  it('spreads over 127.0.0.x on loopback, with headroom below the port range', () => {
    // Spread connections use rtbench's own port block (22,768 ports, 90% planned per address).
    expect(sourceAddressesFor(['ws://127.0.0.1:60000/ws'], 100_000, undefined, ports)).toEqual([
      '127.0.0.1',
      '127.0.0.2',
      '127.0.0.3',
      '127.0.0.4',
      '127.0.0.5',
    ]);
    expect(sourceAddressesFor(['ws://localhost:1/'], 26_000, undefined, ports)).toEqual(['127.0.0.1', '127.0.0.2']);
  });

  it('asks for addresses on a real interface instead of failing connections silently', () => {
    expect(() => sourceAddressesFor(['ws://10.0.0.5:80/'], 60_000, undefined, ports)).toThrow(
      '60000 connections to one server port need 3 source addresses',
    );
  });

  it('gives each worker its own port block', () => {
    const a = ['127.0.0.1', '127.0.0.2'];
    expect(localEndpointsFor(a, 0, 4)).toEqual({ addresses: a, portBase: 10_000, portCount: 5692 });
    expect(localEndpointsFor(a, 3, 4)).toEqual({ addresses: a, portBase: 27_076, portCount: 5692 });
    expect(localEndpointsFor(['127.0.0.1'], 0, 4).portCount).toBe(0);
  });

  it('checks an explicit list', () => {
    expect(sourceAddressesFor(['ws://10.0.0.5/'], 50_000, ['10.0.0.1', '10.0.0.2'], ports)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(() => sourceAddressesFor(['ws://10.0.0.5/'], 50_000, ['10.0.0.1'], ports)).toThrow('need 2 source addresses');
    expect(() => sourceAddressesFor(['ws://x/'], 5, ['nope'], ports)).toThrow("--source-ips: 'nope' is not an IP address");
  });

  it('knows loopback', () => {
    for (const h of ['127.0.0.1', '127.9.8.7', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['10.0.0.1', 'example.com', '128.0.0.1']) expect(isLoopbackHost(h)).toBe(false);
  });
});
