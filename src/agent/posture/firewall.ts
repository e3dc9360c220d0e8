// Is a host firewall filtering inbound traffic? True when an input-hook chain drops by
// default or holds rules (nftables, `nft -j list ruleset`, usually needs root), or the
// iptables INPUT chain does (`iptables -S`). An empty nftables ruleset counts as "no
// firewall" only when no legacy iptables tables are loaded; anything else unread → unknown.
import { describeCommand, ok, unknown, type Collector, type Signal } from './types.js';

const NFT = ['nft', ['-j', 'list', 'ruleset']] as const;
const IPT = ['iptables', ['-S']] as const;
const LEGACY_TABLES = '/proc/net/ip_tables_names';

interface NftItem {
  chain?: { family?: string; table?: string; name?: string; hook?: string; policy?: string };
  rule?: { family?: string; table?: string; chain?: string };
}

/** Input chains that drop by default or hold rules; undefined when the JSON is unreadable. */
export function nftInputFiltering(json: string): string[] | undefined {
  let doc: { nftables?: NftItem[] };
  try {
    doc = JSON.parse(json) as { nftables?: NftItem[] };
  } catch {
    return undefined;
  }
  if (!Array.isArray(doc.nftables)) return undefined;
  const key = (f?: string, t?: string, c?: string) => `${f} ${t} ${c}`;
  const ruleCount = new Map<string, number>();
  for (const it of doc.nftables) if (it.rule) ruleCount.set(key(it.rule.family, it.rule.table, it.rule.chain), (ruleCount.get(key(it.rule.family, it.rule.table, it.rule.chain)) ?? 0) + 1);
  const active: string[] = [];
  for (const it of doc.nftables) {
    const c = it.chain;
    if (!c || c.hook !== 'input') continue;
    const k = key(c.family, c.table, c.name);
    if (c.policy === 'drop' || (ruleCount.get(k) ?? 0) > 0) active.push(`${c.family} ${c.table} ${c.name}`);
  }
  return active;
}

/** `iptables -S` (filter table): INPUT policy DROP/REJECT or any INPUT rule. */
export function iptablesInputFiltering(text: string): boolean | undefined {
  const lines = text.split('\n').map((l) => l.trim());
  const policy = lines.find((l) => l.startsWith('-P INPUT '));
  if (!policy) return undefined;
  return !/ ACCEPT$/.test(policy) || lines.some((l) => l.startsWith('-A INPUT '));
}

export const firewallCollector: Collector = {
  signal: 'firewallActive',
  async collect(probe): Promise<Signal> {
    const tried: string[] = [];
    const nftSrc = describeCommand(NFT[0], [...NFT[1]]);
    const nft = await probe.run(NFT[0], [...NFT[1]]);
    let nftEmpty = false;
    if (nft.ok) {
      const chains = nftInputFiltering(nft.stdout);
      if (chains && chains.length > 0) return ok(true, `${nftSrc} (input filtering in ${chains.join(', ')})`);
      if (chains) nftEmpty = true;
      else tried.push(`${nftSrc} (unreadable output)`);
    } else tried.push(`${nftSrc} (${nft.reason}: ${nft.detail})`);

    const iptSrc = describeCommand(IPT[0], [...IPT[1]]);
    const ipt = await probe.run(IPT[0], [...IPT[1]]);
    if (ipt.ok) {
      const on = iptablesInputFiltering(ipt.stdout);
      if (on !== undefined) return ok(on, `${iptSrc} (INPUT ${on ? 'filtered' : 'policy ACCEPT, no rules'})${nftEmpty ? `; ${nftSrc} (no input filtering)` : ''}`);
      tried.push(`${iptSrc} (no INPUT policy line)`);
    } else tried.push(`${iptSrc} (${ipt.reason}: ${ipt.detail})`);

    if (nftEmpty) {
      const legacy = await probe.readText(LEGACY_TABLES);
      if (legacy === undefined || legacy.trim() === '') return ok(false, `${nftSrc} (no input filtering); file:${LEGACY_TABLES} (${legacy === undefined ? 'absent' : 'empty'}: no legacy iptables)`);
      tried.unshift(`${nftSrc} (no input filtering, but legacy iptables tables are loaded)`);
    }
    return unknown(tried.join('; '));
  },
};
