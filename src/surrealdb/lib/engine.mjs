// The SurrealDB engine from npm `@surrealdb/node`: finding its native binding, opening the
// storage, and the launcher's own calls to it at startup (version, root user).

import { createRequire } from 'node:module';
import { readFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail } from './log.mjs';
import { decode, encode, splitEngineReply } from './cbor-frames.mjs';

function engineDistDir() {
  return dirname(fileURLToPath(import.meta.resolve('@surrealdb/node')));
}

function isMusl() {
  if (process.platform !== 'linux') return false;
  try {
    const report = process.report?.getReport?.();
    if (report?.header?.glibcVersionRuntime) return false;
    if (Array.isArray(report?.sharedObjects) && report.sharedObjects.some((f) => /libc\.musl-|ld-musl-/.test(f))) return true;
  } catch {
    // fall through
  }
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
  } catch {
    return false;
  }
}

/** Loads the N-API binding that sits beside @surrealdb/node's JS entry (its package exports only the SDK engine). */
export function loadNativeEngine() {
  const dist = engineDistDir();
  const require = createRequire(join(dist, 'loader.cjs'));
  const { platform, arch } = process;
  const candidates = [];
  if (process.env.NAPI_RS_NATIVE_LIBRARY_PATH) candidates.push(process.env.NAPI_RS_NATIVE_LIBRARY_PATH);
  if (platform === 'linux') {
    const libc = isMusl() ? ['musl', 'gnu'] : ['gnu', 'musl'];
    for (const l of libc) candidates.push(`./surrealdb-node.linux-${arch}-${l}.node`);
  } else if (platform === 'darwin') {
    candidates.push('./surrealdb-node.darwin-universal.node', `./surrealdb-node.darwin-${arch}.node`);
  } else if (platform === 'win32') {
    candidates.push(`./surrealdb-node.win32-${arch}-msvc.node`);
  } else {
    candidates.push(`./surrealdb-node.${platform}-${arch}.node`);
  }
  const errors = [];
  for (const c of candidates) {
    if (c.startsWith('./') && !existsSync(join(dist, c))) continue;
    try {
      const binding = require(c);
      if (binding?.SurrealNodeEngine) return binding.SurrealNodeEngine;
      errors.push(`${c}: no SurrealNodeEngine export`);
    } catch (err) {
      errors.push(`${c}: ${err.message}`);
    }
  }
  fail(
    `cannot load the SurrealDB engine for ${platform}-${arch} from ${dist}` +
      (errors.length ? ` (${errors.join('; ')})` : ' (no binding for this platform)') +
      ': run `npm ci --prefix src/surrealdb` on this machine',
  );
}

/** The SurrealDB version @surrealdb/node was built with, read without starting the engine. */
export function packagedEngineVersion() {
  try {
    return JSON.parse(readFileSync(join(engineDistDir(), '..', 'package.json'), 'utf8')).surreal ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * mkdir -p without fs.mkdirSync's recursive mode, which spins forever on some
 * pseudo file systems (e.g. under /proc).
 */
function makeDirs(dir) {
  const missing = [];
  let d = dir;
  while (!existsSync(d)) {
    missing.push(d);
    const parent = dirname(d);
    if (parent === d) break;
    d = parent;
  }
  for (const m of missing.reverse()) mkdirSync(m);
}

/** Opens the storage (creating its directory) with the native engine class; fails naming the fix. */
export async function openEngine(SurrealNodeEngine, storage) {
  if (storage.dir) {
    try {
      makeDirs(storage.dir);
    } catch (err) {
      fail(`cannot create data directory ${storage.dir}: ${err.message}`);
    }
  }
  try {
    return new Engine(await SurrealNodeEngine.connect(storage.url, {}));
  } catch (err) {
    const msg = String(err?.message ?? err);
    if (/LOCK|lock hold|Resource temporarily unavailable|No locks available/i.test(msg)) {
      fail(`data directory ${storage.dir} is locked by another process (${msg.trim()}): stop the other SurrealDB/launcher using it, or start with another directory`);
    }
    fail(`cannot open storage ${storage.display}: ${msg.trim()}`);
  }
}

/** The open engine, spoken to in CBOR RPC frames through its own RPC layer. */
export class Engine {
  constructor(native) {
    this.native = native;
  }

  /** Executes one raw request frame; resolves to the engine's raw reply (throws on a frame it cannot parse). */
  async execute(frame) {
    return Buffer.from(await this.native.execute(new Uint8Array(frame.buffer, frame.byteOffset, frame.length)));
  }

  /** Executes a request given as a value: {result} or {error}, raw. */
  async call(request) {
    return splitEngineReply(await this.execute(encode(request)));
  }

  /** The engine's version text ("surrealdb-3.0.2"), or undefined if it does not say. */
  async versionText() {
    const reply = await this.call({ id: 0, method: 'version' });
    return reply.result ? String(decode(reply.result)) : undefined;
  }

  /** Defines the root user, overwriting it, so that a changed password takes effect on an existing data directory. */
  async defineRootUser(user, passLiteral) {
    const reply = await this.call({ id: 0, method: 'query', params: [`DEFINE USER OVERWRITE ${user} ON ROOT PASSWORD ${passLiteral} ROLES OWNER;`] });
    const results = reply.result ? decode(reply.result) : null;
    const bad = reply.error ? decode(reply.error).message : results?.find?.((r) => r.status !== 'OK')?.result;
    if (bad || !Array.isArray(results)) fail(`cannot define root user '${user}': ${bad ?? 'unexpected engine reply'}`);
  }

  /** The engine's channel of live-query notifications. */
  notifications() {
    return this.native.notifications();
  }

  /** Closes the engine, which releases the storage (the RocksDB lock). */
  free() {
    this.native.free();
  }
}
