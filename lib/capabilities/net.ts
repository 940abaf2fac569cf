import { HostCallError } from './errors';

/** `net/v1/dns_lookup_host`: every address of the host, IPv4 and IPv6, as the system resolver answers. */
export async function dnsLookupHost(host: string): Promise<{ ips: string[] }> {
  try {
    // Loaded on first use: most runs never resolve a name.
    const { promises: dns } = await import('node:dns');
    const found = await dns.lookup(host, { all: true, verbatim: true });
    return { ips: found.map((a) => a.address) };
  } catch (err) {
    throw new HostCallError(`cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
