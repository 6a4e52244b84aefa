// The counts' fold alone, on the engine the launcher serves (@surrealdb/node, RocksDB): the processor
// time of folding D count changes into the totals (as SurrealTaskRepository.foldCounts does), by how the
// change rows are kept. Not part of the tests; a measurement to rerun (numbers in docs/benchmark.md).
//
//   node src/surrealdb/bench/fold.mjs two|queue|ordered [D=300] [FOLDS=20]
//
//   two      the schema's: random ids, an index on queue and one on at
//   queue    the index on queue only (the fold reads by at without one)
//   ordered  no index: ids [at, uuid v7], the fold reads an id range
process.env.TOKIO_WORKER_THREADS ??= '6';
const { Surreal } = await import('surrealdb');
const { createNodeEngines } = await import('@surrealdb/node');
const variant = process.argv[2]; const D = +(process.argv[3] ?? 300); const FOLDS = +(process.argv[4] ?? 20);
const dir = `/tmp/kafru-fold-${process.pid}`;
const db = new Surreal({ engines: createNodeEngines() });
await db.connect(`rocksdb://${dir}`);
await db.use({ namespace: 'k', database: 'k' });
const q = async (sql, vars) => (await db.query(sql, vars).collect());
await q(`DEFINE TABLE d SCHEMALESS; DEFINE TABLE c SCHEMALESS;`);
if (variant === 'two') await q(`DEFINE INDEX d_queue ON TABLE d FIELDS queue; DEFINE INDEX d_at ON TABLE d FIELDS at;`);
if (variant === 'queue') await q(`DEFINE INDEX d_queue ON TABLE d FIELDS queue;`);
const ins = variant === 'ordered'
  ? `INSERT INTO d {id: [time::nano(time::now()), rand::uuid::v7()], queue: $q, w: 1, p: -1, c: 0, e: 0, at: time::nano(time::now())} RETURN NONE;`
  : `INSERT INTO d {queue: $q, w: 1, p: -1, c: 0, e: 0, at: time::nano(time::now())} RETURN NONE;`;
const sel = variant === 'ordered'
  ? `LET $d = (SELECT id, queue, w, p, c, e FROM d:[0, NONE]..[time::nano(time::now() - 10ms), NONE] LIMIT $limit);`
  : `LET $d = (SELECT id, queue, w, p, c, e FROM d WHERE at < time::nano(time::now() - 10ms) LIMIT $limit);`;
const FOLD = `BEGIN TRANSACTION; ${sel}
FOR $q IN array::distinct($d.queue) { LET $m = $d.filter(|$x| $x.queue = $q);
  UPSERT type::record('c', $q) SET w += math::sum($m.w), p += math::sum($m.p), c += math::sum($m.c), e += math::sum($m.e) RETURN NONE; };
IF array::len($d) > 0 { DELETE $d.id RETURN NONE; };
RETURN array::len($d); COMMIT TRANSACTION;`;
let insCpu = 0, foldCpu = 0, folded = 0, foldMs = 0;
for (let f = 0; f < FOLDS; f++) {
  let c0 = process.cpuUsage();
  for (let i = 0; i < D; i++) await q(ins, { q: i % 3 === 0 ? 'a' : 'bench' });
  let c1 = process.cpuUsage(c0); insCpu += c1.user + c1.system;
  await new Promise(r => setTimeout(r, 30));
  c0 = process.cpuUsage(); const t0 = performance.now();
  await q(FOLD, { limit: 2000 });
  foldMs += performance.now() - t0;
  c1 = process.cpuUsage(c0); foldCpu += c1.user + c1.system; folded += D;
}
const tot = await q(`SELECT * FROM c; SELECT count() FROM d GROUP ALL;`);
console.log(`${variant}: folded ${folded} in ${FOLDS} folds: fold CPU ${(foldCpu / 1000 / FOLDS).toFixed(1)} ms each (${(foldCpu / folded).toFixed(0)} µs per change, wall ${(foldMs / FOLDS).toFixed(1)} ms), insert CPU ${(insCpu / FOLDS / D).toFixed(0)} µs per change; totals ${JSON.stringify(tot[0])} left ${JSON.stringify(tot[1])}`);
await db.close();
(await import('node:fs')).rmSync(dir, { recursive: true, force: true });
