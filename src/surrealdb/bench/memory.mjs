// The engine's memory under a steady kafru-like load, without kafru and without the launcher: a
// bare @surrealdb/node on RocksDB. Every 100 ms it inserts RATE/10 rows into an indexed table,
// claims them (an index read and an UPDATE in one transaction), finishes them (an UPDATE), and
// every 10 s deletes the finished rows older than 2 minutes, 500 a transaction — the writes a
// task makes in kafru, with retention at 2 minutes. Every 30 s it prints the process's resident
// memory. Not part of the tests; a measurement to rerun (docs/soak.md).
//
//   node src/surrealdb/bench/memory.mjs [VARIANT=full] [MINUTES=5] [RATE=500]
//
// VARIANT  full (as above), nodel (no deletes), insdel (inserts and deletes only)
// The engine reads SURREAL_ROCKSDB_BLOCK_CACHE_SIZE, SURREAL_ROCKSDB_WRITE_BUFFER_SIZE and
// SURREAL_ROCKSDB_MAX_WRITE_BUFFER_NUMBER from the environment; unset, it sizes them from the
// machine (the launcher bounds them: --rocksdb-memory). Preload jemalloc as the launcher does:
//   LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 node src/surrealdb/bench/memory.mjs
process.env.TOKIO_WORKER_THREADS ??= '6';
const { Surreal } = await import('surrealdb');
const { createNodeEngines } = await import('@surrealdb/node');
const { rmSync, readFileSync } = await import('node:fs');
const [variant = 'full', minutesArg = '5', rateArg = '500'] = process.argv.slice(2);
const dir = `/tmp/kafru-memprobe-${process.pid}`;
const db = new Surreal({ engines: createNodeEngines() });
await db.connect(`rocksdb://${dir}`);
await db.use({ namespace: 'k', database: 'k' });
const q = async (sql, vars) => (await db.query(sql, vars).collect());
await q(`DEFINE TABLE t SCHEMALESS; DEFINE INDEX t_due ON TABLE t FIELDS queue, status, rank, due;`);
const rss = () => Math.round(+readFileSync('/proc/self/status', 'utf8').match(/VmRSS:\s+(\d+)/)[1] / 1024);
const per = Math.round(+rateArg / 10);
let n = 0, deleted = 0;
const t0 = Date.now(), end = t0 + +minutesArg * 60000;
let nextPrint = t0;
let lastRet = t0;
while (Date.now() < end) {
  const tick = Date.now();
  const rows = Array.from({ length: per }, () => ({ queue: 'q', status: 'Waiting', rank: 0, due: n++, name: 'task', handler: 'noop', parameters: { i: n, s: 'x'.repeat(40) }, priority: 0, attempts: 0, max_attempts: 3 }));
  await q(`INSERT INTO t $rows RETURN NONE`, { rows });
  if (variant !== 'insdel') {
    const got = (await q(`BEGIN; LET $a = (SELECT id FROM t WHERE queue = 'q' AND status = 'Waiting' AND rank = 0 LIMIT $n);
      LET $g = (UPDATE $a.id SET status = 'InProgress', owner = 'me', lease_until = time::now() + 30s, started_at = time::now(), attempts += 1 RETURN id);
      RETURN $g.id; COMMIT;`, { n: per })).find(Array.isArray);
    await q(`UPDATE $ids SET status = 'Done', ended_at = time::now(), due = time::nano(time::now()) RETURN NONE`, { ids: got });
  }
  if (variant !== 'nodel' && tick - lastRet > 10000) {
    lastRet = tick;
    const cond = variant === 'insdel' ? `status = 'Waiting' AND rank = 0 AND due < $cut` : `status = 'Done' AND rank = 0 AND due < $cutnano`;
    for (;;) {
      const r = (await q(`BEGIN; LET $a = (SELECT id FROM t WHERE queue = 'q' AND ${cond} LIMIT 500); DELETE $a.id RETURN NONE; RETURN array::len($a); COMMIT;`,
        { cut: n - +rateArg * 120, cutnano: BigInt(Date.now() - 120000) * 1000000n })).find((x) => typeof x === "number");
      deleted += r;
      if (r < 500) break;
    }
  }
  if (tick >= nextPrint) {
    const cnt = (await q(`SELECT count() FROM t GROUP ALL`))[0][0]?.count;
    console.log(`${((tick - t0) / 60000).toFixed(1)} min rss ${rss()} MB rows ${cnt} pushed ${n} deleted ${deleted} heap ${Math.round(process.memoryUsage().heapUsed / 1048576)} ext ${Math.round(process.memoryUsage().external / 1048576)}`);
    nextPrint += 30000;
  }
  const wait = 100 - (Date.now() - tick);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
rmSync(dir, { recursive: true, force: true });
process.exit(0); // db.close() can wait on the engine's background work
