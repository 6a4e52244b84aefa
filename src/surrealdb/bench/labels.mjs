// Labels on the engine the launcher serves (@surrealdb/node, RocksDB): what an index on an array
// field of kafru_queues costs per push of unlabelled tasks, whether `labels CONTAINS $l` is served
// by it, and a side table kafru_labels:[label, task] read by key range. Not part of the tests; a
// measurement to rerun (numbers in docs/storage-shapes.md, Labels).
//
//   node src/surrealdb/bench/labels.mjs [ROWS=100000] [LABELLED=1000]
process.env.TOKIO_WORKER_THREADS ??= '6';
const { Surreal } = await import('surrealdb');
const { createNodeEngines } = await import('@surrealdb/node');
const { rmSync } = await import('node:fs');
const [rowsArg = '100000', labelledArg = '1000'] = process.argv.slice(2);
const ROWS = +rowsArg, LABELLED = +labelledArg;

async function run(shape) {
  const dir = `/tmp/kafru-labels-${process.pid}-${shape}`;
  const db = new Surreal({ engines: createNodeEngines() });
  await db.connect(`rocksdb://${dir}`);
  await db.use({ namespace: 'k', database: 'k' });
  const q = async (sql, vars) => (await db.query(sql, vars).collect());
  await q(`DEFINE TABLE kafru_queues SCHEMALESS;
DEFINE INDEX kafru_queues_claim_due ON kafru_queues FIELDS queue, status, rank, due;
DEFINE TABLE kafru_labels SCHEMALESS;` + (shape === 'index' ? `DEFINE INDEX kafru_queues_labels ON kafru_queues FIELDS labels;` : ''));
  const INSERT = `BEGIN TRANSACTION; LET $now = time::now();
INSERT INTO kafru_queues $rows.map(|$r| $r + {run_at: $now, due: time::nano($now), date_created: $now, date_modified: $now}) RETURN NONE;
LET $l = $rows.filter(|$r| $r.labels != NONE);
IF $side AND array::len($l) > 0 { INSERT INTO kafru_labels array::flatten($l.map(|$r| $r.labels.map(|$x| {id: [$x, $r.id]}))) RETURN NONE; };
COMMIT TRANSACTION;`;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  const { RecordId } = await import('surrealdb');
  while (n < ROWS) {
    const rows = [];
    for (let i = 0; i < 500 && n < ROWS; i++, n++) {
      const r = { id: new RecordId('kafru_queues', 'r' + n), name: 'noop', queue: 'default', handler: 'noop', parameters: {},
        status: 'Waiting', priority: 0, rank: 0, attempts: 0, max_attempts: 3 };
      if (n % Math.floor(ROWS / LABELLED) === 0 && shape !== 'none') r.labels = ['tenant-7', 'import'];
      rows.push(r);
    }
    await q(INSERT, { rows, side: shape === 'side' });
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const sql = shape === 'side'
    ? `SELECT * FROM (SELECT VALUE id[1] FROM kafru_labels:[$l, NONE]..[$l, ..]) ORDER BY date_created, id LIMIT 100`
    : `SELECT * FROM kafru_queues WHERE labels CONTAINS $l ORDER BY date_created, id LIMIT 100`;
  let found, qms = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    found = (await q(sql, { l: 'tenant-7' }))[0];
    qms.push(performance.now() - t);
  }
  let plan = '';
  if (shape === 'index') { // which forms of the filter the index serves
    for (const where of ['labels CONTAINS $l', '$l INSIDE labels', 'labels CONTAINSANY [$l]', 'labels = $l']) {
      const p = JSON.stringify((await q(`SELECT id FROM kafru_queues WHERE ${where} EXPLAIN`, { l: 'tenant-7' }))[0]);
      plan += `\n  ${where}: ${p.includes('kafru_queues_labels') ? 'index' : 'table scan'}`;
    }
  }
  console.log(`${shape}: push ${ROWS} in ${ms.toFixed(0)} ms, CPU ${((cpu.user + cpu.system) / ROWS).toFixed(1)} µs/task;`
    + ` filter found ${found.length} (first page) in ${Math.min(...qms).toFixed(1)}–${Math.max(...qms).toFixed(1)} ms ${plan}`);
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
for (const shape of (process.env.SHAPES ?? 'none,index,side').split(',')) await run(shape);
process.exit(0);
