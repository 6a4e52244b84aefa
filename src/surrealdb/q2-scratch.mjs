import { Surreal, Duration } from 'surrealdb';
import { createNodeEngines } from '@surrealdb/node';
import { readFileSync } from 'node:fs';
const db = new Surreal({ engines: createNodeEngines() });
await db.connect('mem://');
await db.use({ namespace: 't', database: 't' });
await db.query(`DEFINE INDEX kafru_queues_claim_due ON kafru_queues FIELDS queue, status, rank, due;
CREATE kafru_queues:z1 SET queue='mixed', status='Waiting', rank=0, priority=0, due=1, handler='z', attempts=0;
CREATE kafru_queues:z2 SET queue='mixed', status='Waiting', rank=0, priority=0, due=2, handler='z', attempts=0;
CREATE kafru_queues:u1 SET queue='mixed', status='Waiting', rank=0, priority=0, due=0, n=5, next=0, done=0, moved=[], handlers=['z'], unit=true;
CREATE kafru_queues:x1 SET queue='mixed', status='Waiting', rank=0, priority=0, due=3, handler='x', attempts=0;`);
const claim = readFileSync('/tmp/claim.surql', 'utf8');
const vars = { queue: 'mixed', owner: 'a', n: 10, lease: new Duration('30s'), from: undefined, top: undefined, floors: {}, known: [], handlers: process.argv[2] ? ['z'] : ['x'], parked: 2000000, unpark: true, skip: 0 };
for (let i = 0; i < 2; i++) {
  if (i == 1) { vars.from = 0; vars.unpark = false; }
  try { const r = await db.query(claim, vars); console.log(JSON.stringify(r.slice(-2), (k, v) => typeof v === 'bigint' ? v.toString() : v)); } catch (e) { console.log('ERR', e.message); }
}
console.log(JSON.stringify(await db.query('SELECT id, rank, status FROM kafru_queues')));
await db.close();
