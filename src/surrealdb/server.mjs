#!/usr/bin/env node
// kafru SurrealDB launcher.
//
// Serves the real SurrealDB engine (npm `@surrealdb/node`, SurrealDB 3.x inside) over
// SurrealDB's RPC WebSocket protocol (CBOR frames at ws://HOST:PORT/rpc), so that any
// client speaking that protocol — kafru's Java client included — can use it as it would
// a `surreal start` server. It is a transport only: every request goes to the engine's
// own RPC layer unchanged, except that the connection's session id is added to it.
//
//   * one engine, one RPC session per WebSocket connection (attach/detach);
//   * root credentials defined at start, and enforced here: before a successful
//     signin/authenticate a connection may only call signin, authenticate, use, ping,
//     version (the engine alone lets an anonymous session do anything);
//   * live-query notifications routed to the connection that owns them;
//   * loopback only unless --allow-remote.
//
// Run `node server.mjs --help` for the flags. See README.md.

import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { readFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import net from 'node:net';
import { WebSocketServer } from 'ws';
import { CborCodec } from 'surrealdb';

const PROG = 'kafru-surrealdb';
const codec = CborCodec.DEFAULT;

// ---------------------------------------------------------------------------------------
// Logging (stdout carries exactly one line: the "listening on" line; the rest is stderr)
// ---------------------------------------------------------------------------------------

const LEVELS = { none: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5, full: 5 };
let logLevel = LEVELS.info;

function log(level, msg) {
  if (LEVELS[level] <= logLevel) {
    process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${PROG}: ${msg}\n`);
  }
}

/** Startup failure: one clear line on stderr, non-zero exit. */
class Fatal extends Error {}
function fail(msg) {
  throw new Fatal(msg);
}

// ---------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------

const USAGE = `Usage: node server.mjs [start] -u USER -p PASS [-b HOST:PORT] [STORAGE] [options]

Serves the SurrealDB engine from @surrealdb/node over SurrealDB's RPC WebSocket
protocol (CBOR) at ws://HOST:PORT/rpc.

  -u, --user, --username NAME   root user defined at start (env SURREAL_USER); required
  -p, --pass, --password PASS   its password (env SURREAL_PASS); required
  -b, --bind HOST:PORT          listen address (env SURREAL_BIND; default 127.0.0.1:8000);
                                loopback only unless --allow-remote; port 0 picks a free port
  STORAGE                       rocksdb://DIR | rocksdb:DIR | surrealkv://DIR | memory | mem://
                                (env SURREAL_PATH; default rocksdb://kafru-surrealdb-data)
  -l, --log LEVEL               none|error|warn|info|debug|trace (env SURREAL_LOG; default info)
      --allow-remote            allow binding to a non-loopback address
      --no-banner               accepted and ignored (as surreal start)
  -h, --help                    this help
  version                       print the engine version and exit

Only rocksdb:// is safe for a task queue: memory and surrealkv lose write conflicts
under concurrency (two transactions can both claim the same record).`;

function parseArgs(argv, env) {
  const opts = {
    user: env.SURREAL_USER,
    pass: env.SURREAL_PASS,
    bind: env.SURREAL_BIND,
    path: env.SURREAL_PATH,
    log: env.SURREAL_LOG,
    allowRemote: false,
    help: false,
    command: 'start',
  };
  const positionals = [];
  const takesValue = {
    '-u': 'user', '--user': 'user', '--username': 'user',
    '-p': 'pass', '--pass': 'pass', '--password': 'pass',
    '-b': 'bind', '--bind': 'bind',
    '-l': 'log', '--log': 'log',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      opts.help = true;
      continue;
    }
    if (arg === '--allow-remote') {
      opts.allowRemote = true;
      continue;
    }
    if (arg === '--no-banner') continue;
    let name = arg;
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      name = arg.slice(0, eq);
      value = arg.slice(eq + 1);
    }
    if (takesValue[name]) {
      if (value === undefined) {
        if (i + 1 >= argv.length) fail(`flag ${name} needs a value (see --help)`);
        value = argv[++i];
      }
      opts[takesValue[name]] = value;
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) fail(`unknown flag ${arg} (see --help)`);
    positionals.push(arg);
  }
  if (positionals[0] === 'start' || positionals[0] === 'version') opts.command = positionals.shift();
  if (positionals.length > 1) fail(`unexpected arguments: ${positionals.join(' ')} (one storage path at most; see --help)`);
  if (positionals.length === 1) opts.path = positionals[0];
  return opts;
}

/** Parses a storage path into {kind, url, dir, display}. */
function parseStorage(spec) {
  const s = (spec ?? '').trim() || 'rocksdb://kafru-surrealdb-data';
  if (s === 'memory' || s === 'mem://' || s === 'mem:' || s === 'memory://') {
    return { kind: 'memory', url: 'mem://', dir: null, display: 'memory' };
  }
  const m = /^(rocksdb|file|surrealkv\+versioned|surrealkv):(?:\/\/)?(.*)$/.exec(s);
  if (!m) {
    fail(`unsupported storage path '${s}': use rocksdb://DIR (recommended), surrealkv://DIR or memory`);
  }
  const kind = m[1] === 'file' ? 'rocksdb' : m[1];
  if (!m[2]) fail(`storage path '${s}' names no directory: use e.g. ${kind}://target/surrealdb-data`);
  const dir = resolvePath(m[2]);
  return { kind, url: `${kind}://${dir}`, dir, display: `${kind}://${dir}` };
}

/** Parses HOST:PORT ([v6]:PORT, :PORT, PORT). */
function parseBind(spec) {
  const s = (spec ?? '').trim() || '127.0.0.1:8000';
  let host;
  let port;
  let m;
  if ((m = /^\[([^\]]+)\]:(\d+)$/.exec(s))) [, host, port] = m;
  else if ((m = /^([^:]*):(\d+)$/.exec(s))) [, host, port] = m;
  else if ((m = /^(\d+)$/.exec(s))) [, port] = m;
  else fail(`bad bind address '${s}': use HOST:PORT, e.g. -b 127.0.0.1:4030`);
  port = Number(port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad port in bind address '${s}'`);
  host = host || '127.0.0.1';
  if (host === 'localhost') host = '127.0.0.1';
  return { host, port };
}

function isLoopback(host) {
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) return host === '::1' || /^::ffff:127\./i.test(host);
  return false;
}

/** Root user name: a plain identifier, so it can be written into DEFINE USER as is. */
function checkUser(user) {
  if (!user) fail('no root user given: pass -u USER (or set SURREAL_USER), e.g. -u kafru_admin');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(user)) {
    fail(`root user name '${user}' is not allowed: use letters, digits and '_' only (e.g. kafru_admin)`);
  }
}

/** Password as a SurrealQL string literal: quotes and backslashes escaped, control characters refused. */
function passwordLiteral(pass) {
  if (pass === undefined || pass === '') fail('no root password given: pass -p PASS (or set SURREAL_PASS)');
  if (/[\u0000-\u001f\u007f]/.test(pass)) fail('root password contains control characters: choose another password');
  return `"${pass.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
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

// ---------------------------------------------------------------------------------------
// Native engine
// ---------------------------------------------------------------------------------------

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
function loadNativeEngine() {
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

function packagedEngineVersion() {
  try {
    return JSON.parse(readFileSync(join(engineDistDir(), '..', 'package.json'), 'utf8')).surreal ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------
// Minimal CBOR framing: requests, replies and notifications are spliced at the top-level
// map only. Values are never decoded and re-encoded, so every SurrealDB tag (none, table,
// record id, decimal, datetime, duration, uuid, set, ranges, geometries, ...) reaches the
// engine and the client byte for byte as it was sent.
// ---------------------------------------------------------------------------------------

class CborFormatError extends Error {}

function need(buf, pos, n) {
  if (pos + n > buf.length) throw new CborFormatError('truncated CBOR item');
}

/** Returns the position just after the CBOR data item starting at pos (iterative, no recursion). */
function skipItem(buf, pos) {
  const stack = [];
  let remaining = 1; // items still to read in the current container (Infinity: until a break)
  for (;;) {
    while (remaining === 0) {
      if (stack.length === 0) return pos;
      remaining = stack.pop();
    }
    need(buf, pos, 1);
    const ib = buf[pos++];
    if (ib === 0xff) {
      if (remaining !== Infinity) throw new CborFormatError('unexpected CBOR break');
      remaining = 0;
      continue;
    }
    const mt = ib >> 5;
    const ai = ib & 0x1f;
    let arg;
    if (ai < 24) arg = ai;
    else if (ai === 24) { need(buf, pos, 1); arg = buf[pos]; pos += 1; }
    else if (ai === 25) { need(buf, pos, 2); arg = buf.readUInt16BE(pos); pos += 2; }
    else if (ai === 26) { need(buf, pos, 4); arg = buf.readUInt32BE(pos); pos += 4; }
    else if (ai === 27) { need(buf, pos, 8); arg = buf.readUInt32BE(pos) * 0x100000000 + buf.readUInt32BE(pos + 4); pos += 8; }
    else if (ai === 31) arg = -1;
    else throw new CborFormatError('reserved CBOR additional info');
    if (remaining !== Infinity) remaining--;
    switch (mt) {
      case 0:
      case 1:
        if (arg === -1) throw new CborFormatError('indefinite integer');
        break;
      case 2:
      case 3:
        if (arg === -1) { stack.push(remaining); remaining = Infinity; }
        else { need(buf, pos, arg); pos += arg; }
        break;
      case 4:
        if (arg === -1) { stack.push(remaining); remaining = Infinity; }
        else if (arg > 0) { stack.push(remaining); remaining = arg; }
        break;
      case 5:
        if (arg === -1) { stack.push(remaining); remaining = Infinity; }
        else if (arg > 0) { stack.push(remaining); remaining = arg * 2; }
        break;
      case 6:
        if (arg === -1) throw new CborFormatError('indefinite tag');
        stack.push(remaining);
        remaining = 1;
        break;
      default: // 7: simple values and floats, already consumed
        if (arg === -1) throw new CborFormatError('unexpected CBOR break');
    }
  }
}

/** Splits a top-level CBOR map into raw entries; null when the item is not a map. */
function mapEntries(buf) {
  if (buf.length === 0 || buf[0] >> 5 !== 5) return null;
  const ai = buf[0] & 0x1f;
  let pos = 1;
  let count;
  if (ai < 24) count = ai;
  else if (ai === 24) { need(buf, pos, 1); count = buf[pos]; pos += 1; }
  else if (ai === 25) { need(buf, pos, 2); count = buf.readUInt16BE(pos); pos += 2; }
  else if (ai === 26) { need(buf, pos, 4); count = buf.readUInt32BE(pos); pos += 4; }
  else if (ai === 27) { need(buf, pos, 8); count = buf.readUInt32BE(pos) * 0x100000000 + buf.readUInt32BE(pos + 4); pos += 8; }
  else if (ai === 31) count = Infinity;
  else throw new CborFormatError('reserved CBOR additional info');
  const entries = new Map();
  for (let n = 0; n < count; n++) {
    if (count === Infinity) {
      need(buf, pos, 1);
      if (buf[pos] === 0xff) { pos++; break; }
    }
    const ks = pos;
    const ke = skipItem(buf, ks);
    const ve = skipItem(buf, ke);
    const key = keyText(buf, ks, ke);
    if (key !== null) entries.set(key, { ks, ke, ve });
    else entries.set(Symbol('non-text key'), { ks, ke, ve });
    pos = ve;
  }
  if (pos !== buf.length) throw new CborFormatError('trailing bytes after CBOR item');
  return entries;
}

function keyText(buf, ks, ke) {
  const ib = buf[ks];
  if (ib >= 0x60 && ib <= 0x77) return buf.toString('utf8', ks + 1, ke);
  if (ib >> 5 !== 3) return null;
  const v = codec.decode(buf.subarray(ks, ke));
  return typeof v === 'string' ? v : null;
}

function decodeValue(buf, entry) {
  return codec.decode(buf.subarray(entry.ke, entry.ve));
}

function rawValue(buf, entry) {
  return buf.subarray(entry.ke, entry.ve);
}

function rawEntry(buf, entry) {
  return buf.subarray(entry.ks, entry.ve);
}

function mapHeader(n) {
  if (n < 24) return Buffer.from([0xa0 + n]);
  if (n < 256) return Buffer.from([0xb8, n]);
  const b = Buffer.alloc(5);
  b[0] = 0xba;
  b.writeUInt32BE(n, 1);
  return b;
}

const KEY = Object.fromEntries(['id', 'result', 'error', 'session'].map((k) => [k, Buffer.from(codec.encode(k))]));
const NONE_VALUES = new Set(['c6f6', 'f6', 'f7', 'c6f7']); // NONE tag, null, undefined

/** Encodes a random UUID as SurrealDB's CBOR uuid (tag 37 over 16 bytes). */
function newSession() {
  const text = randomUUID();
  const bytes = Buffer.concat([Buffer.from([0xd8, 0x25, 0x50]), Buffer.from(text.replace(/-/g, ''), 'hex')]);
  return { text, bytes };
}

/** {id?, result|error} built from raw pieces. */
function response(idRaw, field, valueRaw) {
  const parts = [mapHeader(idRaw ? 2 : 1)];
  if (idRaw) parts.push(KEY.id, idRaw);
  parts.push(field === 'error' ? KEY.error : KEY.result, valueRaw);
  return Buffer.concat(parts);
}

function errorValue(code, kind, message, details) {
  const e = { code, kind, message };
  if (details) e.details = details;
  return Buffer.from(codec.encode(e));
}

/** The engine replies with the bare result, or {error: {code, message, kind, ...}}. */
function splitEngineReply(reply) {
  if (reply.length > 7 && reply[0] === 0xa1 && reply[1] === 0x65 && reply.toString('latin1', 2, 7) === 'error') {
    try {
      const entries = mapEntries(reply);
      const err = entries?.get('error');
      if (err) {
        const inner = mapEntries(Buffer.from(rawValue(reply, err)));
        if (inner && (inner.has('code') || inner.has('message'))) return { error: rawValue(reply, err) };
      }
    } catch {
      // not an error object: a result that happens to look like one
    }
  }
  return { result: reply };
}

// ---------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------

/** Methods a connection may call before a successful signin/authenticate. */
const OPEN_METHODS = new Set(['signin', 'authenticate', 'use', 'ping', 'version']);
/** Session management stays with the launcher: one session per connection. */
const LAUNCHER_METHODS = new Set(['attach', 'detach', 'sessions']);
/** Byte pattern of `"type": "live"` in a query result (a LIVE SELECT statement). */
const LIVE_TYPE_PATTERN = Buffer.concat([Buffer.from(codec.encode('type')), Buffer.from(codec.encode('live'))]);

async function main() {
  const opts = parseArgs(process.argv.slice(2), process.env);
  if (opts.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if (opts.log !== undefined) {
    const lvl = String(opts.log).toLowerCase();
    if (!(lvl in LEVELS)) fail(`unknown log level '${opts.log}': use none, error, warn, info, debug or trace`);
    logLevel = LEVELS[lvl];
  }
  if (opts.command === 'version') {
    process.stdout.write(`surrealdb-${packagedEngineVersion()} (${PROG} launcher, @surrealdb/node)\n`);
    return;
  }

  checkUser(opts.user);
  const passLiteral = passwordLiteral(opts.pass);
  const bind = parseBind(opts.bind);
  if (!isLoopback(bind.host) && !opts.allowRemote) {
    fail(
      `refusing to bind to ${bind.host}: only loopback addresses (127.x.x.x, localhost, ::1) are allowed; ` +
        `use -b 127.0.0.1:${bind.port}, or add --allow-remote if you really mean it`,
    );
  }
  if (!isLoopback(bind.host)) log('warn', `--allow-remote: listening on non-loopback address ${bind.host}`);
  const storage = parseStorage(opts.path);
  if (storage.kind !== 'rocksdb') {
    log(
      'warn',
      `!!! storage ${storage.display} is UNSAFE for a task queue: memory and surrealkv lose write ` +
        `conflicts under concurrency (the same task can be claimed twice)${storage.kind === 'memory' ? ' and memory loses all data on exit' : ''}. Use rocksdb://DIR. !!!`,
    );
  }

  const started = process.hrtime.bigint();
  const SurrealNodeEngine = loadNativeEngine();

  let engine = null; // set once the storage is open
  let ready = false; // engine open, root user defined: RPC connections accepted
  let versionText = `surrealdb-${packagedEngineVersion()}`;

  // Shutdown on SIGINT/SIGTERM: close the connections, then the engine (releases the RocksDB lock).
  const shutdown = async (signal) => {
    if (shuttingDown || !ready) {
      log('warn', `${signal}: exiting now`);
      process.exit(1);
    }
    shuttingDown = true;
    log('info', `${signal}: shutting down`);
    server.close();
    for (const conn of connections) conn.ws.close(1001, 'server shutting down');
    // give the close handlers a moment to detach, then release the engine
    await new Promise((r) => setTimeout(r, 100));
    try {
      engine.free();
    } catch (err) {
      log('warn', `closing the engine: ${err?.message ?? err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
    log('info', 'stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  // -------------------------------------------------------------------------------------
  // Connections
  // -------------------------------------------------------------------------------------

  const bySession = new Map(); // session uuid text -> connection
  const byLive = new Map(); // live query uuid text -> connection
  const connections = new Set();
  let shuttingDown = false;

  function send(conn, buf) {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(buf, { binary: true });
  }

  function noteLive(conn, idText) {
    if (!conn.closed && idText) {
      byLive.set(idText, conn);
      conn.lives.add(idText);
    }
  }

  async function handleRequest(conn, data) {
    let idRaw = null;
    let method = '?';
    try {
      let entries;
      try {
        entries = mapEntries(data);
      } catch (err) {
        log('debug', `connection ${conn.n}: unparsable request (${err.message})`);
        return send(conn, response(null, 'error', errorValue(-32700, 'Validation', 'Parse error', { kind: 'Parse' })));
      }
      if (!entries) return send(conn, response(null, 'error', errorValue(-32600, 'Validation', 'Invalid request: expected a CBOR map {id, method, params}')));
      const idEntry = entries.get('id');
      if (idEntry) idRaw = Buffer.from(rawValue(data, idEntry));
      const methodEntry = entries.get('method');
      method = methodEntry ? decodeValue(data, methodEntry) : undefined;
      if (typeof method !== 'string') {
        return send(conn, response(idRaw, 'error', errorValue(-32600, 'Validation', 'Invalid request: missing method')));
      }
      const lower = method.toLowerCase(); // for deny-lists, should an engine ever match methods case-insensitively
      const sessionEntry = entries.get('session');
      if (sessionEntry && !NONE_VALUES.has(rawValue(data, sessionEntry).toString('hex'))) {
        return send(conn, response(idRaw, 'error', errorValue(-32000, 'NotAllowed',
          `Multiple sessions per connection are not supported by the ${PROG} launcher: send requests without 'session' (open another connection instead)`,
          { kind: 'Method', details: { name: method } })));
      }
      if (LAUNCHER_METHODS.has(lower)) {
        return send(conn, response(idRaw, 'error', errorValue(-32000, 'NotAllowed',
          `Method '${method}' is not supported by the ${PROG} launcher: it keeps one session per connection`,
          { kind: 'Method', details: { name: method } })));
      }
      if (!conn.authenticated && !OPEN_METHODS.has(method)) {
        return send(conn, response(idRaw, 'error', errorValue(-32002, 'NotAllowed',
          `Authentication required: sign in (method 'signin') before calling '${method}'`,
          { kind: 'Method', details: { name: method } })));
      }
      if (lower === 'invalidate' || lower === 'reset') conn.authenticated = false;

      // Forward: the request's own entries (byte for byte, minus any 'session'), plus ours.
      const parts = [];
      let n = 0;
      for (const [k, e] of entries) {
        if (k === 'session') continue;
        parts.push(rawEntry(data, e));
        n++;
      }
      const request = Buffer.concat([mapHeader(n + 1), ...parts, KEY.session, conn.session.bytes]);
      await conn.ready;
      const t0 = logLevel >= LEVELS.trace ? process.hrtime.bigint() : 0n;
      let reply;
      try {
        reply = splitEngineReply(Buffer.from(await engine.execute(new Uint8Array(request.buffer, request.byteOffset, request.length))));
      } catch (err) {
        // the engine throws (rather than replying) on requests it cannot parse
        reply = { error: errorValue(-32600, 'Validation', `Invalid request: ${err?.message ?? err}`) };
      }
      if (t0) log('trace', `connection ${conn.n}: ${method} ${reply.error ? 'ERR' : 'OK'} in ${Number(process.hrtime.bigint() - t0) / 1e6} ms`);
      if (reply.result) {
        if (method === 'signin' || method === 'authenticate') conn.authenticated = true;
        else if (lower === 'live') noteLive(conn, String(codec.decode(reply.result)));
        else if (lower === 'query' && reply.result.includes(LIVE_TYPE_PATTERN)) {
          const results = codec.decode(reply.result);
          if (Array.isArray(results)) for (const r of results) if (r?.type === 'live' && r.status === 'OK') noteLive(conn, String(r.result));
        }
        send(conn, response(idRaw, 'result', reply.result));
      } else {
        send(conn, response(idRaw, 'error', reply.error));
      }
    } catch (err) {
      log('error', `connection ${conn.n}: ${method}: ${err?.stack ?? err}`);
      send(conn, response(idRaw, 'error', errorValue(-32000, 'Internal', `Internal launcher error: ${err?.message ?? err}`)));
    }
  }

  /** {method, session} for attach/detach of a connection's session. */
  function sessionRequest(method, conn) {
    return new Uint8Array(Buffer.concat([mapHeader(2), Buffer.from(codec.encode('method')), Buffer.from(codec.encode(method)), KEY.session, conn.session.bytes]));
  }

  let connCounter = 0;
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => {
      if (protocols.size === 0) return false; // no subprotocol asked: CBOR anyway
      return protocols.has('cbor') ? 'cbor' : false;
    },
  });

  wss.on('connection', (ws, req) => {
    if (shuttingDown) return ws.close(1001, 'server shutting down');
    if (ws.protocol && ws.protocol !== 'cbor') return ws.close(1002, 'only the cbor protocol is supported');
    const conn = {
      n: ++connCounter,
      ws,
      session: newSession(),
      authenticated: false,
      closed: false,
      lives: new Set(),
    };
    connections.add(conn);
    bySession.set(conn.session.text, conn);
    log('debug', `connection ${conn.n} from ${req.socket.remoteAddress}:${req.socket.remotePort} (session ${conn.session.text})`);
    conn.ready = engine
      .execute(sessionRequest('attach', conn))
      .then((r) => {
        const reply = splitEngineReply(Buffer.from(r));
        if (reply.error) throw new Error(codec.decode(reply.error)?.message ?? 'attach failed');
      });
    conn.ready.catch((err) => {
      log('error', `connection ${conn.n}: cannot open a session: ${err.message}`);
      ws.close(1011, 'cannot open a session');
    });
    ws.on('message', (data) => {
      handleRequest(conn, Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));
    });
    ws.on('error', (err) => log('debug', `connection ${conn.n}: ${err.message}`));
    ws.on('close', () => {
      conn.closed = true;
      connections.delete(conn);
      bySession.delete(conn.session.text);
      for (const id of conn.lives) if (byLive.get(id) === conn) byLive.delete(id);
      log('debug', `connection ${conn.n} closed`);
      // detach ends the session and kills its live queries
      conn.ready
        .then(() => engine.execute(sessionRequest('detach', conn)))
        .catch((err) => log('debug', `connection ${conn.n}: detach: ${err?.message ?? err}`));
    });
  });

  // -------------------------------------------------------------------------------------
  // HTTP: /rpc (WebSocket), /health, /status, /version
  // -------------------------------------------------------------------------------------

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const text = (status, body, headers = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      if (path === '/rpc') return text(405, 'HTTP RPC is not supported by this launcher: use a WebSocket at /rpc\n', { allow: 'GET' });
      return text(405, 'method not allowed\n', { allow: 'GET' });
    }
    if (!ready && (path === '/health' || path === '/status')) return text(503, 'starting\n');
    if (path === '/health' || path === '/status') return text(200, '');
    if (path === '/version') return text(200, versionText);
    if (path === '/rpc') return text(426, 'upgrade to a WebSocket (subprotocol cbor) at /rpc\n', { upgrade: 'websocket' });
    return text(404, 'not found\n');
  });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/rpc' || shuttingDown || !ready) {
      socket.end(`HTTP/1.1 ${path !== '/rpc' ? '404 Not Found' : '503 Service Unavailable'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(bind.port, bind.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err) => {
    const where = `${bind.host}:${bind.port}`;
    if (err.code === 'EADDRINUSE') fail(`address ${where} is already in use: stop the process listening there, or choose another port with -b HOST:PORT`);
    if (err.code === 'EADDRNOTAVAIL') fail(`address ${where} is not available on this machine: choose another host with -b HOST:PORT`);
    if (err.code === 'EACCES') fail(`no permission to listen on ${where}: choose a port above 1023 with -b HOST:PORT`);
    fail(`cannot listen on ${where}: ${err.message}`);
  });
  server.on('error', (err) => log('error', `server: ${err.message}`));

  if (storage.dir) {
    try {
      makeDirs(storage.dir);
    } catch (err) {
      fail(`cannot create data directory ${storage.dir}: ${err.message}`);
    }
  }

  try {
    engine = await SurrealNodeEngine.connect(storage.url, {});
  } catch (err) {
    const msg = String(err?.message ?? err);
    if (/LOCK|lock hold|Resource temporarily unavailable|No locks available/i.test(msg)) {
      fail(`data directory ${storage.dir} is locked by another process (${msg.trim()}): stop the other SurrealDB/launcher using it, or start with another directory`);
    }
    fail(`cannot open storage ${storage.display}: ${msg.trim()}`);
  }

  const execute = async (obj) => Buffer.from(await engine.execute(new Uint8Array(codec.encode(obj))));
  const versionReply = splitEngineReply(await execute({ id: 0, method: 'version' }));
  if (versionReply.result) versionText = String(codec.decode(versionReply.result));
  const engineVersion = versionText.replace(/^surrealdb-/, '');

  // Root user (overwritten each start, so a changed password takes effect on an existing data dir).
  {
    const reply = splitEngineReply(
      await execute({ id: 0, method: 'query', params: [`DEFINE USER OVERWRITE ${opts.user} ON ROOT PASSWORD ${passLiteral} ROLES OWNER;`] }),
    );
    const results = reply.result ? codec.decode(reply.result) : null;
    const bad = reply.error ? codec.decode(reply.error).message : results?.find?.((r) => r.status !== 'OK')?.result;
    if (bad || !Array.isArray(results)) fail(`cannot define root user '${opts.user}': ${bad ?? 'unexpected engine reply'}`);
  }

  // Live notifications: {id, action, record, result, session} from the engine, sent to the
  // owning connection as the real server does: {result: {id, action, record, result}}
  // (no top-level id; the launcher-internal session is not shown to the client).
  const receiver = await engine.notifications();
  (async () => {
    for (;;) {
      let raw;
      try {
        raw = await receiver.recv();
      } catch (err) {
        if (!shuttingDown) log('error', `notification channel failed: ${err?.message ?? err}`);
        return;
      }
      if (raw === null || raw === undefined) return;
      try {
        const buf = Buffer.from(raw);
        const entries = mapEntries(buf);
        if (!entries) continue;
        const sessionEntry = entries.get('session');
        const idEntry = entries.get('id');
        const sessionText = sessionEntry ? decodeValue(buf, sessionEntry) : undefined;
        const liveText = idEntry ? String(decodeValue(buf, idEntry)) : undefined;
        const conn = (sessionText ? bySession.get(String(sessionText)) : undefined) ?? (liveText ? byLive.get(liveText) : undefined);
        const actionEntry = entries.get('action');
        const action = actionEntry ? decodeValue(buf, actionEntry) : undefined;
        if (action === 'KILLED' && liveText) {
          const owner = byLive.get(liveText);
          byLive.delete(liveText);
          owner?.lives.delete(liveText);
        }
        if (!conn || conn.closed) {
          log('trace', `notification for live query ${liveText} dropped: no connection owns it`);
          continue;
        }
        const parts = [];
        let n = 0;
        for (const [k, e] of entries) {
          if (k === 'session') continue;
          parts.push(rawEntry(buf, e));
          n++;
        }
        send(conn, Buffer.concat([mapHeader(1), KEY.result, mapHeader(n), ...parts]));
      } catch (err) {
        log('error', `bad notification from the engine: ${err?.message ?? err}`);
      }
    }
  })();

  ready = true;
  const addr = server.address();
  const hostText = net.isIPv6(addr.address) ? `[${addr.address}]` : addr.address;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  log('info', `engine SurrealDB ${engineVersion} on ${storage.display} ready in ${ms.toFixed(0)} ms; root user '${opts.user}'`);
  process.stdout.write(`${PROG} listening on ws://${hostText}:${addr.port}/rpc (engine SurrealDB ${engineVersion}, storage ${storage.display})\n`);

}

main().catch((err) => {
  if (err instanceof Fatal) {
    process.stderr.write(`${PROG}: error: ${err.message}\n`);
  } else {
    process.stderr.write(`${PROG}: error: unexpected failure: ${err?.stack ?? err}\n`);
  }
  process.exit(1);
});
