// Loopback names and addresses: where development-only shortcuts may point.

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1') return true;
  return /^127(\.\d{1,3}){3}$/.test(h);
}
