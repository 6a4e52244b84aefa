// One statement at a time on the engine alone (@surrealdb/node, RocksDB, no WebSocket): how long a
// statement takes after the engine has been idle for GAP milliseconds. Not part of the tests; a
// measurement to rerun (numbers in docs/benchmark.md, "Idle push→start: where its milliseconds go").
//
//   node src/surrealdb/bench/idle.mjs [GAP_MS...]      (default: 0 1 5 20)
//
// For each gap: 200 timed statements (after 30 untimed) of each kind — RETURN 1 (no storage), an
// UPSERT of one record, a CREATE — with GAP ms of idleness before each; prints p50 and p90.
// The engine runs TOKIO_WORKER_THREADS worker threads (default 6, as the launcher on 2 CPUs).
process.env.TOKIO_WORKER_THREADS ??= '6';
const { Surreal } = await import('surrealdb');
const { createNodeEngines } = await import('@surrealdb/node');
const { rmSync } = await import('node:fs');

const gaps = process.argv.slice(2).map(Number);
if (gaps.some((g) => !Number.isFinite(g) || g < 0)) {
  console.error('GAP_MS must be numbers of milliseconds, 0 or more, e.g. 0 5 20');
  process.exit(2);
}
const dir = `/tmp/kafru-idle-${process.pid}`;
const db = new Surreal({ engines: createNodeEngines() });
await db.connect(`rocksdb://${dir}`);
await db.use({ namespace: 'k', database: 'k' });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))].toFixed(2);
try {
  for (const gap of gaps.length ? gaps : [0, 1, 5, 20]) {
    const line = [`gap ${String(gap).padStart(3)} ms:`];
    for (const [name, sql] of [['RETURN 1', 'RETURN 1'], ['UPSERT', 'UPSERT probe:one SET n = $n'], ['CREATE', 'CREATE probe SET n = $n']]) {
      const ms = [];
      for (let i = 0; i < 230; i++) {
        const t = process.hrtime.bigint();
        await db.query(sql, { n: i }).collect();
        if (i >= 30) ms.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (gap > 0) await sleep(gap);
      }
      ms.sort((a, b) => a - b);
      line.push(`${name} p50 ${pct(ms, 0.5)} / p90 ${pct(ms, 0.9)} ms`);
    }
    console.log(line.join('   '));
  }
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
