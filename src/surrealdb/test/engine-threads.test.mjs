// The launcher's --engine-threads: the default, a bad value refused with a message naming the flag
// and the fix, and a started launcher whose engine runs that many worker threads (Linux: /proc).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Fatal } from '../lib/log.mjs';
import { withLauncher } from './started.mjs';
import { parseArgs, parseEngineThreads } from '../lib/options.mjs';

test('the default is three engine threads per CPU, at least four', () => {
  assert.equal(parseEngineThreads(undefined, 2), 6);
  assert.equal(parseEngineThreads('', 8), 24);
  assert.equal(parseEngineThreads(undefined, 1), 4);
});

test('a value is taken from the flag, or from SURREAL_ENGINE_THREADS', () => {
  assert.equal(parseEngineThreads(parseArgs(['--engine-threads', '9'], {}).engineThreads, 2), 9);
  assert.equal(parseEngineThreads(parseArgs(['--engine-threads=3'], {}).engineThreads, 2), 3);
  assert.equal(parseEngineThreads(parseArgs([], { SURREAL_ENGINE_THREADS: '5' }).engineThreads, 2), 5);
});

test('a bad value is refused naming the flag and the fix', () => {
  for (const bad of ['0', '-2', 'many', '2.5', '257']) {
    assert.throws(() => parseEngineThreads(bad, 2), (e) => e instanceof Fatal
      && e.message.includes(`--engine-threads '${bad}'`) && e.message.includes('whole number from 1 to 256'), bad);
  }
});

/** Starts a launcher with --engine-threads n, and answers its startup output and tokio thread count. */
function startAndCount(n) {
  return withLauncher(['--engine-threads', String(n)], {}, ({ child, out }) => ({
    out,
    tokio: readdirSync(`/proc/${child.pid}/task`)
      .map((t) => readFileSync(`/proc/${child.pid}/task/${t}/comm`, 'utf8').trim())
      .filter((name) => name.startsWith('tokio-runtime-w')).length,
  }));
}

// tokio names its blocking threads like its workers: compare two launchers instead of counting one
test('the engine runs as many worker threads as asked', { skip: process.platform !== 'linux' }, async () => {
  const few = await startAndCount(2);
  const many = await startAndCount(9);
  assert.match(few.out, /with 2 engine threads/);
  assert.match(many.out, /with 9 engine threads/);
  assert.ok(many.tokio - few.tokio >= 6, `tokio threads: ${few.tokio} with 2, ${many.tokio} with 9`);
});
