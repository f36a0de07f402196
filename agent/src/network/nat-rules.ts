// Outbound NAT and forwarding for one bridge. Preferred: an nftables table of our own, named after
// the bridge, replaced atomically in one `nft -f` transaction (so re-running is idempotent and
// never leaves a half-written ruleset). Fallback where nft is missing or refused: iptables-nft
// rules tagged with a comment so we can find and delete exactly ours.
import { exec, ExecError } from '../sys/exec.ts';
import { log } from '../log.ts';

export type NatTool = 'nft' | 'iptables';

interface IptRule {
  table: 'nat' | 'filter';
  chain: string;
  insert: boolean;
  spec: string[];
}

export class NatRules {
  private constructor(
    readonly bridge: string,
    readonly subnet: string,
    readonly tool: NatTool,
  ) {}

  /** Installs the rules with `prefer` (or nft, then iptables) and reports which tool worked. */
  static async apply(bridge: string, subnet: string, prefer?: NatTool): Promise<NatRules> {
    const order: NatTool[] = prefer === 'iptables' ? ['iptables'] : prefer === 'nft' ? ['nft'] : ['nft', 'iptables'];
    let lastErr: unknown;
    for (const tool of order) {
      const rules = new NatRules(bridge, subnet, tool);
      try {
        await (tool === 'nft' ? rules.applyNft() : rules.applyIptables());
        return rules;
      } catch (e) {
        lastErr = e;
        log.warn('nat rules failed', { tool, bridge, error: (e as Error).message });
      }
    }
    throw lastErr;
  }

  /** Removes our rules with both tools; whatever is not there is ignored. */
  static async remove(bridge: string, subnet: string): Promise<void> {
    await exec('nft', ['delete', 'table', 'ip', bridge], { okCodes: [1] }).catch(() => undefined);
    const r = new NatRules(bridge, subnet, 'iptables');
    for (const rule of r.iptRules()) {
      const base = ['-w', '-t', rule.table];
      // -D removes one copy per call; loop in case a crash left duplicates.
      for (let i = 0; i < 10; i++) {
        const res = await exec(iptablesBin, [...base, '-D', rule.chain, ...rule.spec], { okCodes: [1, 2] }).catch(() => undefined);
        if (!res || res.code !== 0) break;
      }
    }
  }

  private async applyNft(): Promise<void> {
    const b = this.bridge;
    const script = [
      `table ip ${b}`,
      `delete table ip ${b}`,
      `table ip ${b} {`,
      '  chain postrouting {',
      '    type nat hook postrouting priority srcnat; policy accept;',
      `    ip saddr ${this.subnet} oifname != "${b}" masquerade`,
      '  }',
      '  chain forward {',
      '    type filter hook forward priority filter; policy accept;',
      `    iifname "${b}" accept`,
      `    oifname "${b}" ct state established,related accept`,
      '  }',
      '}',
      '',
    ].join('\n');
    await exec('nft', ['-f', '-'], { input: script });
  }

  private iptRules(): IptRule[] {
    const tag = ['-m', 'comment', '--comment', `berth:${this.bridge}`];
    const b = this.bridge;
    return [
      { table: 'nat', chain: 'POSTROUTING', insert: false, spec: ['-s', this.subnet, '!', '-o', b, ...tag, '-j', 'MASQUERADE'] },
      { table: 'filter', chain: 'FORWARD', insert: true, spec: ['-i', b, ...tag, '-j', 'ACCEPT'] },
      {
        table: 'filter',
        chain: 'FORWARD',
        insert: true,
        spec: ['-o', b, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', ...tag, '-j', 'ACCEPT'],
      },
    ];
  }

  private async applyIptables(): Promise<void> {
    for (const rule of this.iptRules()) {
      const base = ['-w', '-t', rule.table];
      try {
        await exec(iptablesBin, [...base, '-C', rule.chain, ...rule.spec]);
      } catch (e) {
        if (!(e instanceof ExecError) || e.code !== 1) throw e;
        await exec(iptablesBin, [...base, rule.insert ? '-I' : '-A', rule.chain, ...rule.spec]);
      }
    }
  }
}

// Debian ships iptables-nft as `iptables` through alternatives; prefer the explicit name.
const iptablesBin = 'iptables-nft';
