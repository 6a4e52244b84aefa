// Storage shapes alone, on the engine the launcher serves (@surrealdb/node, RocksDB, its own
// lib/engine.mjs): how much of the process's CPU one task costs from push to outcome, for the
// row-per-task layout kafru used up to 0.1 and for the push-unit layout that replaced it. Not part
// of the tests; a measurement to rerun (numbers in docs/storage-shapes.md).
//
//   node src/surrealdb/bench/shapes.mjs SHAPE [TASKS=100000] [CLAIM=500] [FLUSH=64]
//
// Every shape pushes TASKS no-op tasks in statements of 500 (as KafruQueue.pushAll), then one
// claimer claims up to CLAIM at a time and writes outcomes in groups of FLUSH (as the workers'
// outcome writer does), until every task is Completed. Printed: tasks/s and the process's CPU
// (engine threads + this script) per task, for each phase and in all.
//
// SHAPE
//   rows        a row per task: INSERT 500 rows; claim = index range + UPDATE of each row;
//               outcome = UPDATE of each row (three writes and ~5 index-key changes per task)
//   units       a unit row per push statement (queue, status, rank, due, n, next, done) and its
//               tasks as one immutable payload (a JSON string, its own row); a claim takes slots
//               [next, next+k) of the first units in index order and records a slice (owner, lease)
//               per unit; an outcome group adds completed slot ranges to the unit and closes a
//               slice once all its slots are reported
//   units-bytes the same with the payload as CBOR bytes
//   units-array the same with the payload as a native array of task objects
//   units-inline the same with the JSON payload inside the unit row (rewritten with it)
// The engine runs TOKIO_WORKER_THREADS worker threads (default 6, as the launcher on 2 CPUs).
process.env.TOKIO_WORKER_THREADS ??= '6';
const { loadNativeEngine, openEngine } = await import('../lib/engine.mjs');
const { decode, encode } = await import('../lib/cbor-frames.mjs');
const { Duration, RecordId } = await import('surrealdb');
const { rmSync } = await import('node:fs');

const SHAPES = ['rows', 'units', 'units-bytes', 'units-array', 'units-inline'];
const [shape, tasksArg = '100000', claimArg = '500', flushArg = '64'] = process.argv.slice(2);
if (!SHAPES.includes(shape)) {
  console.error(`SHAPE must be one of ${SHAPES.join(', ')}, not ${shape}`);
  process.exit(2);
}
const TASKS = +tasksArg, CLAIM = +claimArg, FLUSH = +flushArg, PUSH = 500;
const dir = `/tmp/kafru-shapes-${process.pid}`;
const engine = await openEngine(loadNativeEngine(), { url: `rocksdb://${dir}`, dir, display: dir });
let rpcId = 1;
const byKind = {};
async function q(sql, vars = {}, kind) {
  const c0 = process.cpuUsage();
  try { return await q0(sql, vars); } finally {
    const c = process.cpuUsage(c0);
    if (kind) { const k = (byKind[kind] ??= { n: 0, cpu: 0 }); k.n++; k.cpu += (c.user + c.system) / 1e6; }
  }
}
async function q0(sql, vars = {}) {
  const reply = await engine.call({ id: rpcId++, method: 'query', params: [sql, vars] });
  if (reply.error) throw new Error(decode(reply.error).message);
  const results = decode(reply.result);
  const bad = results.find((r) => r.status !== 'OK');
  if (bad) throw new Error(String(bad.result));
  return results.map((r) => r.result);
}
await engine.call({ id: rpcId++, method: 'use', params: ['k', 'k'] });
await q(`DEFINE TABLE kafru_queues SCHEMALESS;
DEFINE INDEX kafru_queues_claim_due ON TABLE kafru_queues FIELDS queue, status, rank, due;
DEFINE TABLE kafru_payloads SCHEMALESS;
DEFINE TABLE kafru_slices SCHEMALESS;
DEFINE INDEX kafru_slices_due ON TABLE kafru_slices FIELDS queue, due;
DEFINE TABLE kafru_signals SCHEMALESS;
DEFINE INDEX kafru_signals_at ON TABLE kafru_signals FIELDS at;
DEFINE TABLE kafru_counts SCHEMALESS;`);

const lease = new Duration('30s');
const owner = 'server-1/bench';
const key = () => Array.from({ length: 20 }, () => '0123456789abcdefghijklmnopqrstuvwxyz'[Math.floor(Math.random() * 36)]).join('');
const task = (i) => ({ name: 'noop', handler: 'noop', parameters: { i }, priority: 0, max_attempts: 3 });

// ---------------------------------------------------------------------------------------------
// a row per task (kafru 0.1's statements, without the push-batch reservations)
// ---------------------------------------------------------------------------------------------
const ROWS = {
  push: `BEGIN TRANSACTION; LET $now = time::now();
    INSERT INTO kafru_queues $rows.map(|$r| $r + {run_at: $now, due: time::nano($now) + $r.due, date_created: $now, date_modified: $now}) RETURN NONE;
    INSERT INTO kafru_signals {queue: 'q', created: array::len($rows), at: time::nano($now)} RETURN NONE;
    COMMIT TRANSACTION;`,
  claim: `BEGIN TRANSACTION; LET $now = time::now();
    LET $a = (SELECT id, due FROM kafru_queues WHERE queue = 'q' AND status = 'Waiting' AND rank = 0 AND due >= $floor AND due <= time::nano($now) LIMIT $n);
    LET $got = (UPDATE $a.id SET status = 'InProgress', owner = $owner, lease_until = $now + $lease, rank = 0, due = time::nano($now + $lease),
      started_at = $now, date_modified = $now, attempts += 1 RETURN id, name, handler, parameters, priority, attempts, max_attempts);
    RETURN {tasks: $got, floor: math::max($a.due)};
    COMMIT TRANSACTION;`,
  finish: `BEGIN TRANSACTION; LET $fnow = time::now();
    UPDATE $done SET status = 'Completed', finished_at = $fnow, date_modified = $fnow, lease_until = NONE, message = NONE, rank = 0,
      due = time::nano($fnow) WHERE status = 'InProgress' AND owner = $owner RETURN NONE;
    COMMIT TRANSACTION;`,
};

async function rowsShape(phase) {
  if (phase === 'push') {
    for (let from = 0; from < TASKS; from += PUSH) {
      const rows = [];
      for (let i = 0; i < PUSH; i++) {
        rows.push({ id: new RecordId('kafru_queues', key()), queue: 'q', status: 'Waiting', rank: 0, attempts: 0, due: i, ...task(from + i) });
      }
      await q(ROWS.push, { rows });
    }
    return;
  }
  let floor = 0, done = 0;
  for (;;) {
    const r = (await q(ROWS.claim, { n: CLAIM, owner, lease, floor }, 'claim')).at(-2);
    if (r.tasks.length === 0) break;
    floor = r.floor;
    for (let i = 0; i < r.tasks.length; i += FLUSH) {
      await q(ROWS.finish, { done: r.tasks.slice(i, i + FLUSH).map((t) => t.id), owner }, 'finish');
    }
    done += r.tasks.length;
  }
  return done;
}

// ---------------------------------------------------------------------------------------------
// a unit per push statement
// ---------------------------------------------------------------------------------------------
const inline = shape === 'units-inline';
const payloadOf = (tasks) => {
  if (shape === 'units-bytes') return encode(tasks);
  if (shape === 'units-array') return tasks;
  return JSON.stringify(tasks);
};
const UNITS = {
  push: `BEGIN TRANSACTION; LET $now = time::now();
    CREATE $unit CONTENT {queue: 'q', status: 'Waiting', rank: 0, due: time::nano($now), n: $n, next: 0, done: 0, fin: [], moved: [],
      date_created: $now, date_modified: $now${inline ? ', tasks: $tasks' : ''}} RETURN NONE;
    ${inline ? '' : 'CREATE $payload CONTENT {tasks: $tasks} RETURN NONE;'}
    INSERT INTO kafru_signals {queue: 'q', created: $n, at: time::nano($now)} RETURN NONE;
    INSERT INTO kafru_counts {queue: 'q', waiting: $n, at: time::nano($now)} RETURN NONE;
    COMMIT TRANSACTION;`,
  claim: `BEGIN TRANSACTION; LET $now = time::now();
    LET $u = (SELECT id, n, next FROM kafru_queues WHERE queue = 'q' AND status = 'Waiting' AND rank = 0 AND due <= time::nano($now) LIMIT 8);
    LET $plan = array::fold($u, {left: $want, take: []}, |$acc, $x| IF $acc.left <= 0 THEN $acc ELSE {left: $acc.left - math::min([$x.n - $x.next, $acc.left]),
      take: array::push($acc.take, {unit: $x.id, a: $x.next, b: $x.next + math::min([$x.n - $x.next, $acc.left]), n: $x.n})} END);
    FOR $p IN $plan.take {
      UPDATE $p.unit SET next = $p.b, status = IF $p.b >= n THEN 'Claimed' ELSE 'Waiting' END, date_modified = $now RETURN NONE;
    };
    LET $slices = (INSERT INTO kafru_slices $plan.take.map(|$p| {unit: $p.unit, queue: 'q', a: $p.a, b: $p.b, owner: $owner, claimed: $now,
      due: time::nano($now + $lease)}) RETURN VALUE id);
    LET $tasks = $plan.take.map(|$p| ${inline ? '(SELECT VALUE tasks FROM ONLY $p.unit)' : "(SELECT VALUE tasks FROM ONLY type::record('kafru_payloads', record::id($p.unit)))"});
    INSERT INTO kafru_counts {queue: 'q', waiting: 0 - ($want - $plan.left), running: $want - $plan.left, at: time::nano($now)} RETURN NONE;
    RETURN {take: $plan.take, slices: $slices, tasks: $tasks};
    COMMIT TRANSACTION;`,
  finish: `BEGIN TRANSACTION; LET $now = time::now();
    FOR $f IN $fins {
      UPDATE $f.unit SET status = IF done + $f.k >= n THEN 'Done' ELSE status END, due = IF done + $f.k >= n THEN time::nano($now) ELSE due END,
        done += $f.k, fin += [{r: $f.r, at: $now, o: $owner}], date_modified = $now RETURN NONE;
    };
    IF array::len($closed) > 0 { DELETE $closed RETURN NONE; };
    INSERT INTO kafru_counts {queue: 'q', running: 0 - $k, completed: $k, at: time::nano($now)} RETURN NONE;
    COMMIT TRANSACTION;`,
};

async function unitsShape(phase) {
  if (phase === 'push') {
    for (let from = 0; from < TASKS; from += PUSH) {
      const tasks = [];
      for (let i = 0; i < PUSH; i++) tasks.push(task(from + i));
      const k = key();
      await q(UNITS.push, { unit: new RecordId('kafru_queues', k), payload: new RecordId('kafru_payloads', k), n: PUSH, tasks: payloadOf(tasks) });
    }
    return;
  }
  let done = 0;
  for (;;) {
    const r = (await q(UNITS.claim, { want: CLAIM, owner, lease }, 'claim')).at(-2);
    if (r.take.length === 0) break;
    // the tasks a worker would run: slots [a, b) of each unit's payload
    const claimed = [];
    r.take.forEach((p, i) => {
      const raw = r.tasks[i];
      const all = shape === 'units-bytes' ? decode(Buffer.from(raw)) : shape === 'units-array' ? raw : JSON.parse(raw);
      for (let s = Number(p.a); s < Number(p.b); s++) claimed.push({ unit: p.unit, slot: s, slice: r.slices[i], last: s === Number(p.b) - 1, t: all[s] });
    });
    for (let i = 0; i < claimed.length; i += FLUSH) {
      const group = claimed.slice(i, i + FLUSH);
      const byUnit = new Map();
      for (const c of group) {
        const f = byUnit.get(String(c.unit)) ?? { unit: c.unit, k: 0, r: [] };
        f.k++;
        const last = f.r.at(-1);
        if (last && last[1] === c.slot) last[1] = c.slot + 1; else f.r.push([c.slot, c.slot + 1]);
        byUnit.set(String(c.unit), f);
      }
      await q(UNITS.finish, { fins: [...byUnit.values()], closed: group.filter((c) => c.last).map((c) => c.slice), k: group.length, owner }, 'finish');
    }
    done += claimed.length;
  }
  return done;
}

// ---------------------------------------------------------------------------------------------
const run = shape === 'rows' ? rowsShape : unitsShape;
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const phase = async (name, work) => {
  const c0 = cpu(), t0 = process.hrtime.bigint();
  const r = await work();
  return { name, s: Number(process.hrtime.bigint() - t0) / 1e9, cpu: cpu() - c0, r };
};
const push = await phase('push', () => run('push'));
const claim = await phase('claim+finish', () => run('claim'));
const total = { s: push.s + claim.s, cpu: push.cpu + claim.cpu };
const [left] = await q(`SELECT VALUE id FROM kafru_queues WHERE queue = 'q' AND status IN ['Waiting', 'InProgress', 'Claimed'] LIMIT 1`);
const us = (p) => ((p.cpu / TASKS) * 1e6).toFixed(1);
console.log(`${shape.padEnd(12)} ${TASKS} tasks, claims of ${CLAIM}, outcomes in groups of ${FLUSH}: `
  + `push ${Math.round(TASKS / push.s)}/s ${us(push)} µs/task; claim+finish ${Math.round(TASKS / claim.s)}/s ${us(claim)} µs/task; `
  + `all ${Math.round(TASKS / total.s)} tasks/s, ${us(total)} µs CPU/task; `
  + Object.entries(byKind).map(([k, v]) => `${k} ${v.n} × ${(v.cpu / v.n * 1e3).toFixed(2)} ms = ${(v.cpu / TASKS * 1e6).toFixed(1)} µs/task`).join(', '));
engine.free();
rmSync(dir, { recursive: true, force: true });
if (claim.r !== TASKS || left.length !== 0) {
  console.error(`completed ${claim.r} of ${TASKS}; ${left.length ? 'some' : 'none'} left`);
  process.exit(1);
}
process.exit(0);
