import { statSync } from 'node:fs';
import type { OptionSpec } from './server-options.js';
import { UsageError } from './usage-error.js';

export type OptionValue = string | number | boolean | undefined;
export type ValueSource = 'commandline' | 'env' | 'default';

export interface ParsedOptions {
  values: Record<string, OptionValue>;
  sources: Record<string, ValueSource>;
  help: boolean;
}

// click's boolean vocabulary; the empty string is listed because click lists it.
const TRUE_WORDS = new Set(['1', 'true', 't', 'yes', 'y', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'f', 'no', 'n', 'off', '']);
const BOOL_WORDS = ', 0, 1, f, false, n, no, off, on, t, true, y, yes';

function optionLabel(spec: OptionSpec): string {
  return spec.short ? `'${spec.long}' / '${spec.short}'` : `'${spec.long}'`;
}

/** Closest option name, like click's "Did you mean" (difflib ratio >= 0.6). */
function suggest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestRatio = 0.6;
  for (const c of candidates) {
    const r = similarity(name, c);
    if (r >= bestRatio) {
      best = c;
      bestRatio = r;
    }
  }
  return best;
}

function similarity(a: string, b: string): number {
  // 2*matches/(len a + len b) over the longest common subsequence: close to difflib's ratio.
  const dp: number[] = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let prev = 0;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = a[i - 1] === b[j - 1] ? prev + 1 : Math.max(dp[j]!, dp[j - 1]!);
      prev = tmp;
    }
  }
  return (2 * dp[b.length]!) / (a.length + b.length);
}

function convert(spec: OptionSpec, raw: string | boolean, fromEnv: boolean): OptionValue {
  const kind = spec.kind;
  switch (kind.type) {
    case 'flag':
    case 'bool-pair': {
      if (typeof raw === 'boolean') return raw;
      const v = raw.trim().toLowerCase();
      if (TRUE_WORDS.has(v)) return true;
      if (FALSE_WORDS.has(v)) return false;
      throw new UsageError(
        `Invalid value for '${spec.long}': '${raw}' is not a valid boolean. Recognized values: ${BOOL_WORDS}`,
      );
    }
    case 'int': {
      const text = String(raw).trim();
      if (!/^[+-]?\d+$/.test(text)) {
        throw new UsageError(
          `Invalid value for ${optionLabel(spec)}: '${String(raw)}' is not a valid integer.`,
        );
      }
      const n = Number.parseInt(text, 10);
      const lo = kind.min;
      const hi = kind.max;
      if ((lo !== undefined && n < lo) || (hi !== undefined && n > hi)) {
        const range =
          lo !== undefined && hi !== undefined
            ? `${lo}<=x<=${hi}`
            : lo !== undefined
              ? `x>=${lo}`
              : `x<=${hi}`;
        throw new UsageError(`Invalid value for ${optionLabel(spec)}: ${n} is not in the range ${range}.`);
      }
      return n;
    }
    case 'choice': {
      const v = String(raw);
      if (!kind.choices.includes(v)) {
        const list =
          kind.choices.length === 1
            ? `'${kind.choices[0]}'`
            : `one of ${kind.choices.map((c) => `'${c}'`).join(', ')}`;
        throw new UsageError(`Invalid value for ${optionLabel(spec)}: '${v}' is not ${list}.`);
      }
      return v;
    }
    case 'existing-file': {
      const v = String(raw);
      let isDir: boolean;
      try {
        isDir = statSync(v).isDirectory();
      } catch {
        throw new UsageError(`Invalid value for ${optionLabel(spec)}: File '${v}' does not exist.`);
      }
      if (isDir) throw new UsageError(`Invalid value for ${optionLabel(spec)}: File '${v}' is a directory.`);
      return v;
    }
    case 'string':
      void fromEnv;
      return String(raw);
  }
}

/**
 * Parses options the way click does for `mlflow server`: `--opt value`, `--opt=value`, `-p 5000`,
 * `-p5000`, flags and `--x/--no-x` pairs; then environment variables (an empty value counts as
 * unset), then defaults. Conversion errors are raised for command-line values first (in the
 * order given) and then for the rest in declaration order, which is the order click reports them.
 */
export function parseOptions(
  argv: readonly string[],
  specs: readonly OptionSpec[],
  env: Readonly<Record<string, string | undefined>>,
): ParsedOptions {
  const byName = new Map<string, { spec: OptionSpec; negative: boolean }>();
  for (const spec of specs) {
    byName.set(spec.long, { spec, negative: false });
    if (spec.short) byName.set(spec.short, { spec, negative: false });
    if (spec.kind.type === 'bool-pair') byName.set(spec.kind.negative, { spec, negative: true });
  }
  const given = new Map<string, string | boolean>();
  const order: string[] = [];
  let help = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help') {
      help = true;
      continue;
    }
    if (arg === '--') {
      if (i + 1 < argv.length) throw new UsageError(`Got unexpected extra argument (${argv[i + 1]})`);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      throw new UsageError(`Got unexpected extra argument (${arg})`);
    }
    let name = arg;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq > 0) {
        name = arg.slice(0, eq);
        inline = arg.slice(eq + 1);
      }
    } else if (arg.length > 2) {
      name = arg.slice(0, 2);
      inline = arg.slice(2);
    }
    const hit = byName.get(name);
    if (!hit) {
      const guess = suggest(
        name,
        [...byName.keys()].filter((k) => k.startsWith('--')),
      );
      throw new UsageError(`No such option '${name}'.${guess ? ` Did you mean '${guess}'?` : ''}`);
    }
    const { spec, negative } = hit;
    let value: string | boolean;
    if (spec.kind.type === 'flag' || spec.kind.type === 'bool-pair') {
      if (inline !== undefined) throw new UsageError(`Option '${name}' does not take a value.`);
      value = !negative;
    } else if (inline !== undefined) {
      value = inline;
    } else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`Option '${name}' requires an argument.`, { bare: true });
      value = next;
      i++;
    }
    if (!given.has(spec.key)) order.push(spec.key);
    given.set(spec.key, value);
  }

  const values: Record<string, OptionValue> = {};
  const sources: Record<string, ValueSource> = {};
  if (help) return { values, sources, help };

  const cmdlineFirst = [
    ...order.map((k) => specs.find((s) => s.key === k)!),
    ...specs.filter((s) => !given.has(s.key)),
  ];
  for (const spec of cmdlineFirst) {
    if (given.has(spec.key)) {
      values[spec.key] = convert(spec, given.get(spec.key)!, false);
      sources[spec.key] = 'commandline';
      continue;
    }
    const fromEnv = spec.env ? env[spec.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') {
      values[spec.key] = convert(spec, fromEnv, true);
      sources[spec.key] = 'env';
      continue;
    }
    values[spec.key] = spec.default;
    sources[spec.key] = 'default';
  }
  return { values, sources, help };
}
