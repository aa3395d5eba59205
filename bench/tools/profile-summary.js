'use strict';
/**
 * Summarizes a V8 .cpuprofile (node --cpu-prof): self time grouped by package
 * or area, and the top functions. Usage: node bench/tools/profile-summary.js FILE [--top 25]
 */
const fs = require('node:fs');

function area(url) {
  if (!url) return '(native / V8)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    const name = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    if (name === 'nock') return `nock/${rest.slice(1).join('/')}`;
    return name;
  }
  if (url.includes('/dist/')) return `agenttape dist/${url.split('/dist/')[1]}`;
  if (url.includes('/bench/')) return 'bench harness';
  if (url.startsWith('node:')) return url.startsWith('node:internal/deps/undici') ? 'node:undici (fetch)' : `node:${url.slice(5).split('/').slice(0, 2).join('/')}`;
  return url;
}

function summarize(profile, top = 25) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (deltas[i] ?? 0));
  const byArea = new Map();
  const byFn = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const n = nodes.get(id);
    const cf = n.callFrame;
    if (cf.functionName === '(idle)' || cf.functionName === '(program)') continue;
    total += us;
    const a = cf.functionName === '(garbage collector)' ? '(garbage collector)' : area(cf.url);
    byArea.set(a, (byArea.get(a) ?? 0) + us);
    const fn = `${cf.functionName || '(anonymous)'} ${a}:${cf.lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
  }
  const sorted = (m) => [...m].sort((x, y) => y[1] - x[1]);
  return {
    totalBusyMs: total / 1000,
    byArea: sorted(byArea).map(([k, us]) => ({ area: k, ms: us / 1000, share: us / total })),
    topFunctions: sorted(byFn)
      .slice(0, top)
      .map(([k, us]) => ({ fn: k, ms: us / 1000, share: us / total })),
  };
}

/** Self time grouped into coarse buckets: nock's own code, @mswjs/interceptors, AgentTape dist, yaml, node internals, GC. */
function buckets(summary) {
  const out = {};
  for (const { area: a, ms } of summary.byArea) {
    const key = a.startsWith('nock/') ? 'nock' : a.startsWith('agenttape') ? 'agenttape' : a.startsWith('node:undici') ? 'node:undici (fetch)' : a.startsWith('node:') ? 'node internals' : a;
    out[key] = (out[key] ?? 0) + ms;
  }
  return out;
}

if (require.main === module) {
  const file = process.argv[2];
  const topIndex = process.argv.indexOf('--top');
  const top = topIndex > 0 ? Number(process.argv[topIndex + 1]) : 25;
  const s = summarize(JSON.parse(fs.readFileSync(file, 'utf8')), top);
  console.log(`busy ${s.totalBusyMs.toFixed(0)} ms`);
  for (const r of s.byArea.slice(0, 30)) console.log(`${(r.share * 100).toFixed(1).padStart(5)}%  ${r.ms.toFixed(1).padStart(8)} ms  ${r.area}`);
  console.log('\ntop functions (self time):');
  for (const r of s.topFunctions) console.log(`${(r.share * 100).toFixed(1).padStart(5)}%  ${r.ms.toFixed(1).padStart(8)} ms  ${r.fn}`);
}

module.exports = { summarize, buckets };
