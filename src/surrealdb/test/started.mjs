// A launcher started for a test: on a free loopback port and a fresh data directory, with these
// flags and extra environment (the caller's SURREAL_* variables left out), looked at once it
// listens, then stopped with SIGTERM and its directory removed.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVER = join(dirname(fileURLToPath(import.meta.url)), '..', 'server.mjs');

/** Runs look({child, out, data}) on a started launcher and answers what it answers. */
export async function withLauncher(flags, env, look) {
  const dir = mkdtempSync(join(tmpdir(), 'kafru-launcher-'));
  const data = join(dir, 'data');
  const clean = { ...process.env };
  for (const name of Object.keys(clean)) if (name.startsWith('SURREAL_')) delete clean[name];
  const child = spawn(process.execPath, [SERVER, 'start', '-u', 'root', '-p', 'pw', '-b', '127.0.0.1:0', ...flags,
    `rocksdb://${data}`], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...clean, ...env } });
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
    return await look({ child, out, data });
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}
