// The launcher's process lifecycle: read the command line, start the engine and the server,
// print the one "listening on" line, stop cleanly on SIGINT/SIGTERM. Exit codes: 0 after a
// clean stop (or --help, version), 1 when it cannot start or is stopped before it is ready.

import { Fatal, PROG, fail, log, setLogLevel } from './log.mjs';
import { availableParallelism } from 'node:os';
import {
  USAGE, checkUser, isLoopback, parseArgs, parseBind, parseEngineThreads, parseRocksdbMemory, parseStorage, passwordLiteral,
  rocksdbMemorySettings,
} from './options.mjs';
import { loadNativeEngine, openEngine, packagedEngineVersion } from './engine.mjs';
import { RpcServer } from './rpc-server.mjs';
import { Sessions } from './sessions.mjs';

/** Bytes as MiB for the startup line; a value given in another form (e.g. 64MB) as given. */
const mib = (v) => (/^\d+$/.test(v) ? `${Math.round(Number(v) / 1048576)} MiB` : v);

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

async function main(argv, env) {
  const opts = parseArgs(argv, env);
  if (opts.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if (opts.log !== undefined && !setLogLevel(opts.log)) {
    fail(`unknown log level '${opts.log}': use none, error, warn, info, debug or trace`);
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

  // the engine's tokio runtime reads this when it starts (loading the binding starts it)
  const engineThreads = parseEngineThreads(opts.engineThreads, availableParallelism());
  process.env.TOKIO_WORKER_THREADS = String(engineThreads);
  // and RocksDB's memory when it opens the storage: bounded, not sized from the machine's memory
  const memory = rocksdbMemorySettings(parseRocksdbMemory(opts.rocksdbMemory), process.env);
  Object.assign(process.env, memory.set);

  const started = process.hrtime.bigint();
  const SurrealNodeEngine = loadNativeEngine();
  const server = new RpcServer(`surrealdb-${packagedEngineVersion()}`);
  let engine = null; // set once the storage is open
  let stopping = false;

  // Shutdown on SIGINT/SIGTERM: close the connections, then the engine (releases the RocksDB lock).
  const shutdown = async (signal) => {
    if (stopping || !server.ready) {
      log('warn', `${signal}: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log('info', `${signal}: shutting down`);
    server.stop();
    // give the close handlers a moment to detach, then release the engine
    await delay(100);
    try {
      engine.free();
    } catch (err) {
      log('warn', `closing the engine: ${err?.message ?? err}`);
    }
    await delay(100);
    log('info', 'stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  await server.listen(bind);
  engine = await openEngine(SurrealNodeEngine, storage);
  server.versionText = (await engine.versionText()) ?? server.versionText;
  const engineVersion = server.versionText.replace(/^surrealdb-/, '');
  await engine.defineRootUser(opts.user, passLiteral);
  const sessions = new Sessions(engine);
  await sessions.routeNotifications();
  server.serve(sessions);

  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  log('info', `engine SurrealDB ${engineVersion} on ${storage.display} ready in ${ms.toFixed(0)} ms with ${engineThreads} engine threads; root user '${opts.user}'`);
  if (storage.kind === 'rocksdb') {
    const f = memory.inForce;
    log('info', `RocksDB memory: block cache ${mib(f.SURREAL_ROCKSDB_BLOCK_CACHE_SIZE)}, ` +
      `${f.SURREAL_ROCKSDB_MAX_WRITE_BUFFER_NUMBER} write buffers of ${mib(f.SURREAL_ROCKSDB_WRITE_BUFFER_SIZE)}`);
  }
  process.stdout.write(`${PROG} listening on ${server.url()} (engine SurrealDB ${engineVersion}, storage ${storage.display})\n`);
}

/** Runs the launcher with these arguments; a startup failure is one `kafru-surrealdb: error: …` line and exit code 1. */
export function run(argv, env) {
  main(argv, env).catch((err) => {
    if (err instanceof Fatal) {
      process.stderr.write(`${PROG}: error: ${err.message}\n`);
    } else {
      process.stderr.write(`${PROG}: error: unexpected failure: ${err?.stack ?? err}\n`);
    }
    process.exit(1);
  });
}
