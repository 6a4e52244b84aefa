// The launcher's --rocksdb-memory: RocksDB's caches bounded by a budget instead of sized from the
// machine (the engine alone takes half the machine's memory as block cache and, on 16–64 GiB,
// 8 write buffers of 128 MiB plus 1 GiB of flushed ones: a soak saw it grow 190 MB → 2.4 GB in an
// hour). A bad value is refused naming the flag; the engine's own variables win over the split.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Fatal } from '../lib/log.mjs';
import { withLauncher } from './started.mjs';
import { parseArgs, parseRocksdbMemory, rocksdbMemorySettings } from '../lib/options.mjs';

const MIB = 1024 * 1024;

test('the budget defaults to 1 GiB and takes a size from the flag or SURREAL_ROCKSDB_MEMORY', () => {
  assert.equal(parseRocksdbMemory(undefined), 1024 * MIB);
  assert.equal(parseRocksdbMemory(parseArgs(['--rocksdb-memory', '1GiB'], {}).rocksdbMemory), 1024 * MIB);
  assert.equal(parseRocksdbMemory(parseArgs(['--rocksdb-memory=256MB'], {}).rocksdbMemory), 256e6);
  assert.equal(parseRocksdbMemory(parseArgs([], { SURREAL_ROCKSDB_MEMORY: '128mib' }).rocksdbMemory), 128 * MIB);
  assert.equal(parseRocksdbMemory(String(100 * MIB)), 100 * MIB);
});

test('a bad budget is refused naming the flag and the fix', () => {
  for (const bad of ['32MiB', 'lots', '1.5GiB', '-1GiB', '2TiB', '0']) {
    assert.throws(() => parseRocksdbMemory(bad), (e) => e instanceof Fatal
      && e.message.includes(`--rocksdb-memory '${bad}'`) && e.message.includes('e.g. --rocksdb-memory 512MiB'), bad);
  }
});

test('the budget is split a quarter block cache and four write buffers of a sixteenth; set engine variables win', () => {
  assert.deepEqual(rocksdbMemorySettings(512 * MIB, {}).set, {
    SURREAL_ROCKSDB_BLOCK_CACHE_SIZE: String(128 * MIB),
    SURREAL_ROCKSDB_WRITE_BUFFER_SIZE: String(32 * MIB),
    SURREAL_ROCKSDB_MAX_WRITE_BUFFER_NUMBER: '4',
  });
  const mixed = rocksdbMemorySettings(512 * MIB, { SURREAL_ROCKSDB_BLOCK_CACHE_SIZE: '1GB' });
  assert.equal(mixed.set.SURREAL_ROCKSDB_BLOCK_CACHE_SIZE, undefined);
  assert.equal(mixed.inForce.SURREAL_ROCKSDB_BLOCK_CACHE_SIZE, '1GB');
  assert.equal(mixed.set.SURREAL_ROCKSDB_WRITE_BUFFER_SIZE, String(32 * MIB));
});

/** Starts a launcher with these flags and environment; answers its startup output and RocksDB's OPTIONS file. */
function start(flags, env = {}) {
  return withLauncher(flags, env, ({ out, data }) => {
    const options = readdirSync(data).filter((f) => f.startsWith('OPTIONS-')).sort().pop();
    const text = readFileSync(join(data, options), 'utf8');
    const option = (name) => Number(new RegExp(`^\\s*${name}=(\\d+)$`, 'm').exec(text)?.[1]);
    return { out, writeBuffer: option('write_buffer_size'), buffers: option('max_write_buffer_number'), kept: option('max_write_buffer_size_to_maintain') };
  });
}

test('the engine opens RocksDB with the budget, or with the engine variables set', async () => {
  const given = await start(['--rocksdb-memory', '256MiB']);
  assert.equal(given.writeBuffer, 16 * MIB);
  assert.equal(given.buffers, 4);
  assert.equal(given.kept, 64 * MIB, 'flushed write buffers kept for conflict checks: as many as the live ones');
  assert.match(given.out, /RocksDB memory: block cache 64 MiB, 4 write buffers of 16 MiB/);

  const byDefault = await start([]);
  assert.equal(byDefault.writeBuffer, 64 * MIB);
  assert.match(byDefault.out, /block cache 256 MiB, 4 write buffers of 64 MiB/);

  const engineVariable = await start(['--rocksdb-memory', '256MiB'], { SURREAL_ROCKSDB_WRITE_BUFFER_SIZE: String(8 * MIB) });
  assert.equal(engineVariable.writeBuffer, 8 * MIB);
  assert.match(engineVariable.out, /4 write buffers of 8 MiB/);
});
