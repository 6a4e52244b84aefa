// The launcher's --engine-threads: the default, a bad value refused with a message naming the flag
// and the fix, and a started launcher whose engine runs that many worker threads (Linux: /proc).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Fatal } from '../lib/log.mjs';
import { parseArgs, parseEngineThreads } from '../lib/options.mjs';

const SERVER = join(dirname(fileURLToPath(import.meta.url)), '..', 'server.mjs');

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
async function startAndCount(n) {
  const dir = mkdtempSync(join(tmpdir(), 'kafru-threads-'));
  const child = spawn(process.execPath, [SERVER, 'start', '-u', 'root', '-p', 'pw', '-b', '127.0.0.1:0',
    '--engine-threads', String(n), `rocksdb://${join(dir, 'data')}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    await new Promise((resolve, reject) => {
      const seen = (chunk) => {
        out += chunk;
        if (out.includes('listening on')) resolve();
      };
      child.stdout.on('data', seen);
      child.stderr.on('data', seen);
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const tokio = readdirSync(`/proc/${child.pid}/task`)
      .map((t) => readFileSync(`/proc/${child.pid}/task/${t}/comm`, 'utf8').trim())
      .filter((name) => name.startsWith('tokio-runtime-w')).length;
    return { out, tokio };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

// tokio names its blocking threads like its workers: compare two launchers instead of counting one
test('the engine runs as many worker threads as asked', { skip: process.platform !== 'linux' }, async () => {
  const few = await startAndCount(2);
  const many = await startAndCount(9);
  assert.match(few.out, /with 2 engine threads/);
  assert.match(many.out, /with 9 engine threads/);
  assert.ok(many.tokio - few.tokio >= 6, `tokio threads: ${few.tokio} with 2, ${many.tokio} with 9`);
});
