import { Surreal } from 'surrealdb';
import { createNodeEngines } from '@surrealdb/node';
const db = new Surreal({ engines: createNodeEngines() });
await db.connect('mem://');
await db.use({ namespace: 't', database: 't' });
const q = process.argv[2];
try { console.log(JSON.stringify(await db.query(q), (k, v) => typeof v === 'bigint' ? v.toString() : v)); } catch (e) { console.log('ERR', e.message); }
await db.close();
