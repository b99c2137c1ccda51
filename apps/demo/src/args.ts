import type { ContextKind } from './scenario.js';

export interface DemoArgs {
  list: boolean;
  contexts: ContextKind[];
  scale: number;
  seconds: number;
  timeline: boolean;
  selectors: string[];
}

const USAGE = `usage: pnpm demo [ids or topics...] [--list] [--context thread|process|both] [--scale n] [--seconds n] [--timeline]`;

export function parseArgs(argv: readonly string[]): DemoArgs {
  const out: DemoArgs = { list: false, contexts: ['thread', 'process'], scale: 0.1, seconds: 1.5, timeline: false, selectors: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === '--list') out.list = true;
    else if (arg === '--timeline') out.timeline = true;
    else if (arg === '--context') {
      const v = value();
      if (v === 'both') out.contexts = ['thread', 'process'];
      else if (v === 'thread' || v === 'process') out.contexts = [v];
      else throw new Error(`--context must be thread, process or both, not ${v}\n${USAGE}`);
    } else if (arg === '--scale') out.scale = positive(arg, value());
    else if (arg === '--seconds') out.seconds = positive(arg, value());
    else if (arg === '--help' || arg === '-h') throw new Error(USAGE);
    else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}\n${USAGE}`);
    else out.selectors.push(arg);
  }
  return out;
}

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not ${text}`);
  return n;
}
