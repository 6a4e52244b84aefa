// The command line: flags as `surreal start` has them, environment fallbacks, and the checks
// that refuse a bad value at startup with a message naming the fix.

import { resolve as resolvePath } from 'node:path';
import net from 'node:net';
import { fail } from './log.mjs';

export const USAGE = `Usage: node server.mjs [start] -u USER -p PASS [-b HOST:PORT] [STORAGE] [options]

Serves the SurrealDB engine from @surrealdb/node over SurrealDB's RPC WebSocket
protocol (CBOR) at ws://HOST:PORT/rpc.

  -u, --user, --username NAME   root user defined at start (env SURREAL_USER); required
  -p, --pass, --password PASS   its password (env SURREAL_PASS); required
  -b, --bind HOST:PORT          listen address (env SURREAL_BIND; default 127.0.0.1:8000);
                                loopback only unless --allow-remote; port 0 picks a free port
  STORAGE                       rocksdb://DIR | rocksdb:DIR | surrealkv://DIR | memory | mem://
                                (env SURREAL_PATH; default rocksdb://kafru-surrealdb-data)
  -l, --log LEVEL               none|error|warn|info|debug|trace (env SURREAL_LOG; default info)
      --engine-threads N        the engine's worker threads (env SURREAL_ENGINE_THREADS; default
                                3 per CPU, at least 4): a worker waits while RocksDB commits, and
                                with one per CPU the CPUs sat a third idle under load
      --rocksdb-memory SIZE     what RocksDB may keep in memory, e.g. 512MiB or 2GiB (env
                                SURREAL_ROCKSDB_MEMORY; default 1GiB, at least 64MiB): a quarter
                                block cache, a quarter write buffers (4), a quarter flushed ones
                                kept for conflict checks. The engine alone would size them from
                                the machine (half its memory as cache); the engine's own
                                SURREAL_ROCKSDB_BLOCK_CACHE_SIZE, _WRITE_BUFFER_SIZE and
                                _MAX_WRITE_BUFFER_NUMBER win over this split when set
      --allow-remote            allow binding to a non-loopback address
      --no-banner               accepted and ignored (as surreal start)
  -h, --help                    this help
  version                       print the engine version and exit

Only rocksdb:// is safe for a task queue: memory and surrealkv lose write conflicts
under concurrency (two transactions can both claim the same record).`;

/** Flags that take a value, and the option each one sets. */
const TAKES_VALUE = {
  '-u': 'user', '--user': 'user', '--username': 'user',
  '-p': 'pass', '--pass': 'pass', '--password': 'pass',
  '-b': 'bind', '--bind': 'bind',
  '-l': 'log', '--log': 'log',
  '--engine-threads': 'engineThreads',
  '--rocksdb-memory': 'rocksdbMemory',
};

/** Parses the arguments into {user, pass, bind, path, log, engineThreads, rocksdbMemory, allowRemote, help, command}; env fills what they omit. */
export function parseArgs(argv, env) {
  const opts = {
    user: env.SURREAL_USER,
    pass: env.SURREAL_PASS,
    bind: env.SURREAL_BIND,
    path: env.SURREAL_PATH,
    log: env.SURREAL_LOG,
    engineThreads: env.SURREAL_ENGINE_THREADS,
    rocksdbMemory: env.SURREAL_ROCKSDB_MEMORY,
    allowRemote: false,
    help: false,
    command: 'start',
  };
  const positionals = [];
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
    if (TAKES_VALUE[name]) {
      if (value === undefined) {
        if (i + 1 >= argv.length) fail(`flag ${name} needs a value (see --help)`);
        value = argv[++i];
      }
      opts[TAKES_VALUE[name]] = value;
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

/** The engine's worker threads: the value given (a whole number 1–256), else 3 per CPU and at least 4. */
export function parseEngineThreads(spec, cpus) {
  if (spec === undefined || String(spec).trim() === '') return Math.max(4, 3 * cpus);
  const s = String(spec).trim();
  const n = Number(s);
  if (!/^\d+$/.test(s) || n < 1 || n > 256) {
    fail(`bad --engine-threads '${s}': use a whole number from 1 to 256, e.g. --engine-threads 6`);
  }
  return n;
}

const MIB = 1024 * 1024;
const UNITS = { '': 1, b: 1, k: 1024, kb: 1000, kib: 1024, m: MIB, mb: 1e6, mib: MIB, g: 1024 * MIB, gb: 1e9, gib: 1024 * MIB };
export const ROCKSDB_MEMORY_DEFAULT = 1024 * MIB;

/** --rocksdb-memory in bytes: a whole number with an optional unit (KiB, MiB, GiB, KB, MB, GB), at least 64 MiB. */
export function parseRocksdbMemory(spec) {
  if (spec === undefined || String(spec).trim() === '') return ROCKSDB_MEMORY_DEFAULT;
  const s = String(spec).trim();
  const m = /^(\d+)\s*([a-z]*)$/i.exec(s);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  const bytes = unit === undefined ? NaN : Number(m[1]) * unit;
  if (!Number.isSafeInteger(bytes) || bytes < 64 * MIB || bytes > 1024 * 1024 * MIB) {
    fail(`bad --rocksdb-memory '${s}': use a size from 64MiB to 1024GiB, e.g. --rocksdb-memory 512MiB`);
  }
  return bytes;
}

/**
 * The engine's RocksDB memory settings for a budget: the environment variables to set (the ones
 * already set are left alone and win) and the values in force, for the startup line.
 */
export function rocksdbMemorySettings(budget, env) {
  const split = {
    SURREAL_ROCKSDB_BLOCK_CACHE_SIZE: Math.floor(budget / 4),
    SURREAL_ROCKSDB_WRITE_BUFFER_SIZE: Math.floor(budget / 16),
    SURREAL_ROCKSDB_MAX_WRITE_BUFFER_NUMBER: 4,
  };
  const set = {};
  const inForce = {};
  for (const [name, value] of Object.entries(split)) {
    if (env[name] !== undefined && String(env[name]).trim() !== '') {
      inForce[name] = String(env[name]).trim();
    } else {
      set[name] = String(value);
      inForce[name] = String(value);
    }
  }
  return { set, inForce };
}

/** Parses a storage path into {kind, url, dir, display}. */
export function parseStorage(spec) {
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
export function parseBind(spec) {
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

/** Whether the address is loopback, the only kind bound without --allow-remote. */
export function isLoopback(host) {
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) return host === '::1' || /^::ffff:127\./i.test(host);
  return false;
}

/** Root user name: a plain identifier, so it can be written into DEFINE USER as is. */
export function checkUser(user) {
  if (!user) fail('no root user given: pass -u USER (or set SURREAL_USER), e.g. -u kafru_admin');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(user)) {
    fail(`root user name '${user}' is not allowed: use letters, digits and '_' only (e.g. kafru_admin)`);
  }
}

/** Password as a SurrealQL string literal: quotes and backslashes escaped, control characters refused. */
export function passwordLiteral(pass) {
  if (pass === undefined || pass === '') fail('no root password given: pass -p PASS (or set SURREAL_PASS)');
  if (/[\u0000-\u001f\u007f]/.test(pass)) fail('root password contains control characters: choose another password');
  return `"${pass.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
