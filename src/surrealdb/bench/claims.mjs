// Claims alone, on the engine the launcher serves (@surrealdb/node, RocksDB): how fast one or two
// claimers move Waiting rows to InProgress, and how two claimers on one queue get in each other's
// way. Not part of the tests; a measurement to rerun (numbers in the README, Benchmark).
//
//   node src/surrealdb/bench/claims.mjs MODE [ROWS=20000] [CLAIM=800]
//
// MODE
//   one       one claimer, kafru's claim (index range from the head, UPDATE … RETURN the task)
//   split2    two claimers, each on a queue of its own (ROWS/2 each): no shared rows
//   shared2   two claimers on one queue, the second starting 2 × CLAIM past the head ("lanes");
//             a write conflict (both wrote one row) is retried and counted
//   halves    two claimers on one queue, each bound to its own half of the due range (the ideal)
//   cursor2   two claimers that first reserve the next CLAIM dues in a small transaction on a
//             cursor row per queue, then claim that due range ("cursor1": one claimer)
//   batches2  two claimers that reserve one push statement's rows (a row per INSERT records its
//             queue and due range), then claim that range; CLAIM is the push size here
//             ("batches1": one claimer)
// The engine runs TOKIO_WORKER_THREADS worker threads (default 6, as the launcher on 2 CPUs).
process.env.TOKIO_WORKER_THREADS ??= '6';
const { Surreal, Duration } = await import('surrealdb');
const { createNodeEngines } = await import('@surrealdb/node');
const { rmSync } = await import('node:fs');

const MODES = ['one', 'split2', 'shared2', 'halves', 'cursor1', 'cursor2', 'batches1', 'batches2'];
const [mode, rowsArg = '20000', claimArg = '800'] = process.argv.slice(2);
if (!MODES.includes(mode)) {
  console.error(`MODE must be one of ${MODES.join(', ')}, not ${mode}`);
  process.exit(2);
}
const ROWS = +rowsArg, N = +claimArg;
const PUSH = mode.startsWith('batches') ? N : 500;
const dir = `/tmp/kafru-claims-${process.pid}`;
const db = new Surreal({ engines: createNodeEngines() });
await db.connect(`rocksdb://${dir}`);
await db.use({ namespace: 'k', database: 'k' });
const q = async (sql, vars) => (await db.query(sql, vars).collect());
await q(`DEFINE TABLE kafru_queues SCHEMALESS;
DEFINE INDEX kafru_queues_claim_due ON kafru_queues FIELDS queue, status, rank, due;
DEFINE TABLE kafru_cursors SCHEMALESS;
DEFINE TABLE kafru_batches SCHEMALESS;
DEFINE INDEX kafru_batches_free ON kafru_batches FIELDS queue, taken, first;`);

const INSERT = `BEGIN TRANSACTION; LET $now = time::now();
INSERT INTO kafru_queues $rows.map(|$r| $r + {run_at: $now, due: time::nano($now) + $r.due, date_created: $now, date_modified: $now}) RETURN NONE;
IF $batch THEN { CREATE kafru_batches SET queue = $rows[0].queue, taken = false, first = time::nano($now),
  last = time::nano($now) + array::len($rows) - 1 RETURN NONE; } END;
COMMIT TRANSACTION;`;
const SET = `status = 'InProgress', owner = $owner, lease_until = $now + $lease, rank = 0, due = time::nano($now + $lease),
  started_at = $now, date_modified = $now, attempts += 1 RETURN id, name, handler, parameters, priority, attempts, max_attempts`;
const CLAIM = `BEGIN TRANSACTION; LET $now = time::now(); LET $t = time::nano($now);
LET $a = (SELECT id FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank = 0 AND due >= $lo
  AND due <= math::min([$t, $hi]) LIMIT $n START $skip);
LET $got = (UPDATE $a.id SET ${SET});
RETURN {n: array::len($got)};
COMMIT TRANSACTION;`;
const TAKE_RANGE = `BEGIN TRANSACTION; LET $now = time::now();
LET $a = (SELECT id FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank = 0 AND due >= $lo AND due <= $hi);
LET $got = (UPDATE $a.id SET ${SET});
RETURN {n: array::len($got)};
COMMIT TRANSACTION;`;
const RESERVE_CURSOR = `BEGIN TRANSACTION; LET $t = time::nano(time::now());
LET $c = (SELECT VALUE at FROM ONLY type::record('kafru_cursors', $queue)) ?? 0;
LET $d = (SELECT VALUE due FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank = 0 AND due >= $c + 1 AND due <= $t LIMIT $n);
LET $end = IF array::len($d) = 0 THEN $c ELSE math::max($d) END;
UPSERT type::record('kafru_cursors', $queue) SET at = $end RETURN NONE;
RETURN {from: $c + 1, to: $end};
COMMIT TRANSACTION;`;
const RESERVE_BATCH = `BEGIN TRANSACTION;
LET $b = (SELECT id, first, last FROM kafru_batches WHERE queue = $queue AND taken = false LIMIT 1 START $skip)[0];
IF $b != NONE THEN { UPDATE $b.id SET taken = true RETURN NONE; } END;
RETURN {from: $b.first, to: $b.last};
COMMIT TRANSACTION;`;

const queues = mode === 'split2' ? ['a', 'b'] : ['a'];
for (const queue of queues) {
  for (let from = 0; from < ROWS / queues.length; from += PUSH) {
    const rows = [];
    for (let i = 0; i < PUSH; i++) {
      rows.push({ name: 'noop', queue, handler: 'noop', parameters: {}, status: 'Waiting', priority: 0, rank: 0, attempts: 0, max_attempts: 3, due: i });
    }
    await q(INSERT, { rows, batch: mode.startsWith('batches') });
  }
}
const lease = new Duration('30s');
const BIG = 9000000000000000000n;
const mid = BigInt((await q(`SELECT VALUE due FROM kafru_queues WHERE queue = 'a' AND status = 'Waiting' AND rank = 0 LIMIT 1 START ${ROWS / 2}`))[0][0] ?? 0);
const stats = { claims: 0, claimNs: 0n, reserves: 0, reserveNs: 0n, conflicts: 0 };

/** Runs a statement, retrying write conflicts ("can be retried") and counting them. */
async function run(sql, vars, onConflict = () => {}) {
  for (;;) {
    try {
      return (await q(sql, vars)).filter((x) => x && typeof x === 'object' && !Array.isArray(x)).pop();
    } catch (e) {
      if (!/retried/.test(String(e))) throw e;
      stats.conflicts++;
      onConflict();
    }
  }
}
async function timed(kind, work) {
  const t0 = process.hrtime.bigint();
  const r = await work();
  stats[kind + 's']++;
  stats[kind + 'Ns'] += process.hrtime.bigint() - t0;
  return r;
}

/** Claims from the head of its range (skip = lane × 2 × N) until nothing is left. */
async function headClaimer(queue, lane, lo = 0n, hi = BIG) {
  let got = 0;
  for (;;) {
    const r = await timed('claim', () => run(CLAIM, { queue, owner: `o${lane}`, n: N, lease, skip: lane * 2 * N, lo, hi }));
    got += r.n;
    if (r.n === 0) {
      if (lane === 0) return got;
      lane = 0; // past the end of the backlog: the rest is at the head
    }
  }
}
/** Reserves a due range (cursor or push batch), then claims it, until nothing is left to reserve. */
async function rangeClaimer(queue, reserve, lane) {
  let got = 0;
  for (;;) {
    const r = await timed('reserve', () => run(reserve, { queue, n: N, skip: lane }, () => { lane = (lane + 1) % 2; }));
    if (r.from === undefined || r.from === null || BigInt(r.to) < BigInt(r.from)) {
      if (lane === 0) return got;
      lane = 0;
      continue;
    }
    const c = await timed('claim', () => run(TAKE_RANGE, { queue, owner: 'r', lease, lo: BigInt(r.from), hi: BigInt(r.to) }));
    got += c.n;
  }
}

const t0 = process.hrtime.bigint();
const claimers = {
  one: () => [headClaimer('a', 0)],
  split2: () => [headClaimer('a', 0), headClaimer('b', 0)],
  shared2: () => [headClaimer('a', 0), headClaimer('a', 1)],
  halves: () => [headClaimer('a', 0, 0n, mid - 1n), headClaimer('a', 0, mid, BIG)],
  cursor1: () => [rangeClaimer('a', RESERVE_CURSOR, 0)],
  cursor2: () => [rangeClaimer('a', RESERVE_CURSOR, 0), rangeClaimer('a', RESERVE_CURSOR, 0)],
  batches1: () => [rangeClaimer('a', RESERVE_BATCH, 0)],
  batches2: () => [rangeClaimer('a', RESERVE_BATCH, 0), rangeClaimer('a', RESERVE_BATCH, 1)],
}[mode];
const counts = await Promise.all(claimers());
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const total = counts.reduce((a, b) => a + b, 0);
const left = (await q(`SELECT VALUE id FROM kafru_queues WHERE status = 'Waiting'`))[0].length;
const ms = (ns, n) => (n ? (Number(ns) / 1e6 / n).toFixed(1) : '-');
console.log(`${mode.padEnd(9)} ${total} rows in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} rows/s; per claimer ${counts.join(' / ')}; `
  + `claims ${stats.claims} (${ms(stats.claimNs, stats.claims)} ms each), reserves ${stats.reserves} (${ms(stats.reserveNs, stats.reserves)} ms each), `
  + `write conflicts retried ${stats.conflicts}; left Waiting ${left}`);
await db.close();
rmSync(dir, { recursive: true, force: true });
if (total !== ROWS || left !== 0) {
  console.error(`claimed ${total} of ${ROWS}, ${left} left Waiting`);
  process.exit(1);
}
process.exit(0);
