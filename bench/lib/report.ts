// Results: JSON, a Markdown report with ratios, and an SVG chart, into bench/results/<timestamp>/;
// the same Markdown is written into docs/benchmarks.md (latest results + machine).
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ReadSize } from './seed.js';

export interface Row {
  scenario: string;
  title: string;
  system: string;
  backend: 'pg' | 'sqlite' | 'mysql';
  concurrency: number;
  unit?: { name: string; perReq: number };
  na?: string;
  problems?: string[];
  requests?: number;
  ok?: number;
  expected?: number;
  errors?: number;
  errorKinds?: Record<string, number>;
  rps?: number;
  p50?: number;
  p95?: number;
  p99?: number;
  elapsedMs?: number;
  cpuMsPerReq?: number;
  pgCpuMsPerReq?: number;
  peakRssMiB?: number;
}

export interface Footprint {
  system: string;
  startMs: number[];
  idleRssMiB: number;
  processes: number;
}

const PEERS = ['mlflow', 'mlflow-go', 'fasttrackml', 'floor'];
const LABEL: Record<string, string> = {
  'mlflow-ts': 'mlflow-ts',
  mlflow: 'MLflow (Python)',
  'mlflow-go': 'mlflow-go',
  fasttrackml: 'FastTrackML',
  floor: 'raw-driver floor',
};
const COLOR: Record<string, string> = {
  'mlflow-ts': '#2f6fdd',
  mlflow: '#e07b39',
  'mlflow-go': '#3aa17e',
  fasttrackml: '#9b59b6',
  floor: '#888888',
};
const f = (v: number | undefined, d = 1) =>
  v === undefined || Number.isNaN(v) ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(d);
const usable = (r?: Row) => !!r && !r.na && r.rps !== undefined && (r.ok ?? 0) + (r.expected ?? 0) > 0;

export function writeReport(o: {
  outDir: string;
  rows: Row[];
  footprints: Footprint[];
  quick: boolean;
  machine: Record<string, string>;
  size: ReadSize;
  docsPath?: string;
}): string[] {
  const { rows } = o;
  writeFileSync(
    join(o.outDir, 'results.json'),
    JSON.stringify(
      { quick: o.quick, machine: o.machine, size: o.size, rows, footprints: o.footprints },
      null,
      2,
    ),
  );
  // The MySQL rows form their own group after the others: writes, then reads, by id.
  const backendOf = (sc: string) => rows.find((r) => r.scenario === sc)!.backend;
  const all = [...new Set(rows.map((r) => r.scenario))];
  const mysqlRank = (sc: string) => (sc.startsWith('W') ? 0 : 1);
  const scenarios = [
    ...all.filter((sc) => backendOf(sc) !== 'mysql'),
    ...all
      .filter((sc) => backendOf(sc) === 'mysql')
      .sort((a, b) => mysqlRank(a) - mysqlRank(b) || a.localeCompare(b)),
  ];
  const firstMysql = scenarios.find((sc) => backendOf(sc) === 'mysql');
  const mysqlGroup = `MySQL (${mysqlServerName(o.machine.mysql)})`;
  const get = (sc: string, sys: string) => rows.find((r) => r.scenario === sc && r.system === sys);
  const L: string[] = [];
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  L.push(
    `Mode: **${o.quick ? 'quick (development; short runs, small data)' : 'full'}**, ${when} UTC. Read data set: ${o.size.runs} runs x (20 params, 20 metrics, 5 tags); ${o.size.experiments} experiments; big run ${o.size.bigParams} params/metrics; history ${o.size.historyPoints} points; bulk-interval ${o.size.bulkRuns} runs x ${o.size.bulkSteps} steps.`,
    '',
  );
  L.push('### Machine', '');
  for (const [k, v] of Object.entries(o.machine)) L.push(`- ${k}: ${v}`);
  L.push('', '### Speed-up of mlflow-ts (throughput ratio, >1 = mlflow-ts faster)', '');
  L.push(
    `| Scenario | ${PEERS.map((p) => `vs ${LABEL[p]}`).join(' | ')} |`,
    `|---|${PEERS.map(() => '---:').join('|')}|`,
  );
  for (const sc of scenarios) {
    if (sc === firstMysql) L.push(`| **${mysqlGroup}** | ${PEERS.map(() => '').join(' | ')} |`);
    const ts = get(sc, 'mlflow-ts');
    const cells = PEERS.map((p) => {
      const pr = get(sc, p);
      if (!usable(ts)) return ts?.na ? 'n/a (ts)' : '–';
      if (!usable(pr)) return pr?.na ? 'n/a' : pr?.errors ? 'peer failed' : '–';
      const flagged = (x: Row) => (x.errors ?? 0) > 0 || (x.problems?.length ?? 0) > 0;
      return `${(ts!.rps! / pr!.rps!).toFixed(2)}x${flagged(pr!) ? ' †' : ''}${flagged(ts!) ? ' ‡' : ''}`;
    });
    L.push(`| ${sc} | ${cells.join(' | ')} |`);
  }
  L.push(
    '',
    'Throughput counts successful requests only (200, or the error a scenario asks for). The floor column is mlflow-ts over the raw driver doing the same work without HTTP (1.0 = at the floor). † the peer had errors or wrong data in that scenario (see below); ‡ mlflow-ts did.',
    '',
  );
  L.push('### Per scenario', '');
  for (const sc of scenarios) {
    if (sc === firstMysql) L.push(`### Per scenario: ${mysqlGroup}`, '');
    const first = rows.find((r) => r.scenario === sc)!;
    const where = { pg: 'PostgreSQL', sqlite: 'SQLite', mysql: mysqlGroup.replace(' (', ', ').slice(0, -1) }[
      first.backend
    ];
    L.push(`#### ${sc}: ${first.title} (${where})`, '');
    const unit = first.unit;
    L.push(
      `| System | ok req/s |${unit ? ` ${unit.name} |` : ''} p50 ms | p95 ms | p99 ms | requests | errors | server CPU ms/req | DB CPU ms/req | peak RSS MiB | data check |`,
    );
    L.push(`|---|---:|${unit ? '---:|' : ''}---:|---:|---:|---:|---:|---:|---:|---:|---|`);
    const order = (x: Row) => (x.system === 'mlflow-ts' ? -1 : PEERS.indexOf(x.system));
    for (const r of rows.filter((x) => x.scenario === sc).sort((a, b) => order(a) - order(b))) {
      if (r.na) {
        L.push(
          `| ${LABEL[r.system] ?? r.system} | n/a |${unit ? ' |' : ''} | | | | | | | | ${r.na.replace(/\|/g, '/').slice(0, 120)} |`,
        );
        continue;
      }
      const errs = r.errors
        ? `${r.errors} (${Object.entries(r.errorKinds ?? {})
            .map(([k, v]) => `${k}: ${v}`)
            .join('; ')
            .replace(/\|/g, '/')})`
        : '0';
      const check = r.problems?.length
        ? `**${r.problems.join('; ').replace(/\|/g, '/')}**`
        : r.expected
          ? `ok (${r.expected} expected errors)`
          : 'ok';
      L.push(
        `| ${LABEL[r.system] ?? r.system} | ${f(r.rps)} |${unit ? ` ${f((r.rps ?? 0) * unit.perReq)} |` : ''} ${f(r.p50, 2)} | ${f(r.p95, 2)} | ${f(r.p99, 2)} | ${r.requests ?? '–'} | ${errs} | ${f(r.cpuMsPerReq, 2)} | ${f(r.pgCpuMsPerReq, 2)} | ${f(r.peakRssMiB)} | ${check} |`,
      );
    }
    L.push('');
  }
  if (o.footprints.length) {
    L.push('### Footprint (M0): cold start to first healthy response, idle memory', '');
    L.push(
      '| System | cold start ms (median of starts) | idle RSS MiB (process tree) | processes |',
      '|---|---:|---:|---:|',
    );
    for (const fp of o.footprints) {
      const s = [...fp.startMs].sort((a, b) => a - b);
      L.push(
        `| ${LABEL[fp.system] ?? fp.system} | ${f(s[Math.floor(s.length / 2)])} (${s.length} starts) | ${f(fp.idleRssMiB)} | ${fp.processes} |`,
      );
    }
    L.push('');
  }
  const svg = chart(rows, scenarios);
  writeFileSync(join(o.outDir, 'chart.svg'), svg);
  const md = L.join('\n');
  writeFileSync(join(o.outDir, 'results.md'), `# Benchmark results\n\n![chart](chart.svg)\n\n${md}\n`);
  if (o.docsPath && existsSync(o.docsPath)) {
    const doc = readFileSync(o.docsPath, 'utf8');
    const rel = relative(join(o.docsPath, '..'), join(o.outDir, 'chart.svg'));
    const block = `<!-- results:begin (written by bench/main.ts) -->\n![chart](${rel})\n\n${md}\n<!-- results:end -->`;
    const next = doc.includes('<!-- results:begin')
      ? doc.replace(/<!-- results:begin[\s\S]*<!-- results:end -->/, block)
      : `${doc}\n## Latest results\n\n${block}\n`;
    writeFileSync(o.docsPath, next);
  }
  // failures: errors or wrong data on our server or the floor (speed never fails the run)
  const failed: string[] = [];
  for (const r of rows) {
    if (r.system !== 'mlflow-ts' && r.system !== 'floor') continue;
    if (r.na) continue;
    if (r.errors)
      failed.push(`${r.system} ${r.scenario}: ${r.errors} errors ${JSON.stringify(r.errorKinds)}`);
    if (r.problems?.length) failed.push(`${r.system} ${r.scenario}: ${r.problems.join('; ')}`);
  }
  return failed;
}

/** "MariaDB 10.11" from the server's VERSION() ("10.11.19-MariaDB-0+deb12u1"), or "MySQL 8.4". */
function mysqlServerName(version: string | undefined): string {
  const m = /^(\d+\.\d+)/.exec(version ?? '');
  if (!m) return 'MariaDB';
  return /mariadb/i.test(version!) ? `MariaDB ${m[1]}` : `MySQL ${m[1]}`;
}

/** Horizontal grouped bars: throughput relative to Python MLflow (log scale). */
function chart(rows: Row[], scenarios: string[]): string {
  const systems = ['mlflow-ts', 'mlflow-go', 'fasttrackml', 'floor'];
  const barH = 9;
  const groupH = systems.length * barH + 12;
  const left = 230;
  const width = 900;
  const plotW = width - left - 80;
  const top = 50;
  const minL = -1;
  const maxL = 3; // 0.1x .. 1000x
  const x = (ratio: number) =>
    left + ((Math.log10(Math.min(Math.max(ratio, 10 ** minL), 10 ** maxL)) - minL) / (maxL - minL)) * plotW;
  const shown = scenarios.filter((sc) =>
    usable(rows.find((r) => r.scenario === sc && r.system === 'mlflow')),
  );
  const height = top + shown.length * groupH + 40;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(
    `<text x="${left}" y="18" font-size="14" font-weight="bold">Throughput relative to Python MLflow 3.18 (log scale, 1x = MLflow)</text>`,
  );
  systems.forEach((s, k) => {
    out.push(
      `<rect x="${left + k * 150}" y="28" width="10" height="10" fill="${COLOR[s]}"/><text x="${left + k * 150 + 14}" y="37">${LABEL[s]}</text>`,
    );
  });
  for (const t of [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000]) {
    out.push(
      `<line x1="${x(t)}" y1="${top - 4}" x2="${x(t)}" y2="${height - 30}" stroke="${t === 1 ? '#333' : '#ddd'}"/>`,
    );
    out.push(`<text x="${x(t)}" y="${height - 16}" text-anchor="middle">${t}x</text>`);
  }
  shown.forEach((sc, g) => {
    const y0 = top + g * groupH;
    const base = rows.find((r) => r.scenario === sc && r.system === 'mlflow')!;
    out.push(`<text x="${left - 6}" y="${y0 + groupH / 2}" text-anchor="end">${sc}</text>`);
    systems.forEach((s, k) => {
      const r = rows.find((q) => q.scenario === sc && q.system === s);
      const y = y0 + k * barH;
      if (!usable(r)) {
        out.push(
          `<text x="${x(1) + 3}" y="${y + barH - 1}" fill="#aaa" font-size="8">${r?.na ? 'n/a' : '–'}</text>`,
        );
        return;
      }
      const ratio = r!.rps! / base.rps!;
      const x0 = x(1);
      const x1 = x(ratio);
      out.push(
        `<rect x="${Math.min(x0, x1)}" y="${y}" width="${Math.max(1, Math.abs(x1 - x0))}" height="${barH - 2}" fill="${COLOR[s]}"${r!.errors || r!.problems?.length ? ' stroke="red"' : ''}/>`,
      );
      out.push(
        `<text x="${Math.max(x0, x1) + 3}" y="${y + barH - 2}" font-size="8">${ratio.toFixed(ratio < 10 ? 2 : 1)}x${r!.errors ? ` (${r!.errors} err)` : ''}</text>`,
      );
    });
  });
  out.push('</svg>');
  return out.join('\n');
}
