// kafru dashboard: what the page shows and which requests it sends, without the DOM, so that
// it can be tested in Node (src/test/js). app.mjs puts it on the page.

export const API = 'api';
export const PAGES = ['queues', 'tasks', 'schedules', 'agents'];
export const PAGE_SIZE = 100;
export const TASK_STATUSES = ['Waiting', 'InProgress', 'Completed', 'Error', 'Cancelled'];
export const COMMANDS = {
  Queue: ['QueueGracefulShutdown', 'QueueForceShutdown'],
  Scheduler: ['SchedulerGracefulShutdown', 'SchedulerForceShutdown'],
  Task: ['TaskTerminate', 'TaskRemove'],
};

/** The page a location hash names: {page, id} — '#task/k1' is one task's detail; anything else falls back to queues. */
export function route(hash) {
  const [page, ...rest] = String(hash || '').replace(/^#/, '').split('/');
  if (page === 'task' && rest.length) return { page: 'task', id: decodeURIComponent(rest.join('/')) };
  return { page: PAGES.includes(page) ? page : 'queues', id: null };
}

function filterParams({ status, queue, handler, name, author, label } = {}) {
  const params = new URLSearchParams();
  if (status) params.set('status', status);
  if (queue) params.set('queue', queue);
  if (handler) params.set('handler', handler);
  if (name) params.set('name', name);
  if (author) params.set('author', author);
  if (label) params.set('label', label);
  return params;
}

/** The list request for the task filters; empty filters are left out. */
export function tasksPath({ limit, offset, ...filters } = {}) {
  const params = filterParams(filters);
  params.set('limit', String(limit || 50));
  if (offset) params.set('offset', String(offset));
  return `/tasks?${params}`;
}

/** The count request for the same filters (and the purge request: DELETE with status and queue). */
export function countPath(filters = {}) {
  const query = filterParams(filters).toString();
  return query ? `/tasks/count?${query}` : '/tasks/count';
}

/** The purge request: it takes status and queue only, so it is offered only when no other filter is set. */
export function purgePath({ status, queue, handler, name, author, label } = {}) {
  if (handler || name || author || label) return null;
  const query = filterParams({ status, queue }).toString();
  return query ? `/tasks?${query}` : '/tasks';
}

/** "101–200 of 250", "of at least 10000" when the count reached its cap, and whether there is a page before and after. */
export function pageText({ offset, shown, count }) {
  const total = count.capped ? `at least ${count.count}` : String(count.count);
  const range = shown === 0 ? 'none' : `${offset + 1}–${offset + shown}`;
  return {
    text: `${range} of ${total}`,
    previous: offset > 0,
    next: shown > 0 && (count.capped || offset + shown < count.count),
  };
}

/** The question asked before a purge: it names the count and the filters, so nobody removes more than they meant. */
export function purgeQuestion({ status, queue }, count) {
  const n = counted(count);
  return `Remove ${n} ${status || ''} task${count.count === 1 ? '' : 's'}${queue ? ` of queue ${queue}` : ' of every queue'}?`
    .replace(/ {2}/g, ' ');
}

/** "at least 10000" or "3": a count as a person reads it. */
function counted(count) {
  return count.capped ? `at least ${count.count}` : String(count.count);
}

/** The question asked before retrying every failed task of a queue: it names the count, as the purge does. */
export function retryFailedQuestion(queue, count) {
  return `Retry ${counted(count)} failed task${count.count === 1 ? '' : 's'} of queue ${queue}? `
    + `${count.count === 1 ? 'It goes' : 'They go'} back to Waiting, due now, with fresh attempts.`;
}

/** A task as a screen reader names it on a button: "task hello (t1)". */
export function taskName(task) {
  return `task ${task.name || task.handler} (${task.id})`;
}

/**
 * The question asked before an action on a task that cannot be taken back (Remove, Terminate,
 * Cancel), or null when the action asks nothing (Retry).
 */
export function taskQuestion(label, task) {
  switch (label) {
    case 'Remove':
      return `Remove ${taskName(task)}, ${task.status}? It cannot be brought back.`;
    case 'Terminate':
      return `Terminate ${taskName(task)}? It is interrupted where it runs and ends Error.`;
    case 'Cancel':
      return task.status === 'InProgress'
        ? `Cancel ${taskName(task)}? It is interrupted where it runs and ends Cancelled.`
        : `Cancel ${taskName(task)}? It never runs and ends Cancelled.`;
    default:
      return null;
  }
}

/** The question asked before a schedule runs now: what it pushes, and that its next run stays. */
export function runNowQuestion(schedule) {
  const next = schedule.nextSchedule ? ` Its next run stays at ${when(schedule.nextSchedule)}.` : '';
  return `Run schedule ${schedule.name} now? It pushes one ${schedule.handler} task into queue ${schedule.queue}.${next}`;
}

/** The question asked before a schedule is removed. */
export function removeScheduleQuestion(schedule) {
  return `Remove schedule ${schedule.name}? The tasks it pushed stay.`;
}

/** What an agent is, as a screen reader names it on a button: "queue worker default on server n1". */
export function agentName(agent) {
  const what = { Queue: `queue worker ${agent.name}`, Scheduler: `scheduler ${agent.name}`, Task: `task ${agent.queueId}` }[agent.kind]
    || `${agent.kind} ${agent.name}`;
  return `${what} on server ${agent.server}`;
}

/** The question asked before a command is sent to an agent (each stops or removes something). */
export function commandQuestion(agent, command) {
  return `Send ${command} to the ${agentName(agent)}?`;
}

/**
 * What can be done to a task in its status: [label, method, path]. Cancel (ends Cancelled) for a
 * task that has not finished; a running one can also be terminated (ends Error).
 */
export function taskActions(task) {
  const id = encodeURIComponent(task.id);
  const cancel = ['Cancel', 'POST', `/tasks/${id}/cancel`];
  switch (task.status) {
    case 'Error':
      return [['Retry', 'POST', `/tasks/${id}/retry`], ['Remove', 'DELETE', `/tasks/${id}`]];
    case 'InProgress':
      return [cancel, ['Terminate', 'POST', `/tasks/${id}/terminate`]];
    case 'Waiting':
      return [cancel, ['Remove', 'DELETE', `/tasks/${id}`]];
    default:
      return [['Remove', 'DELETE', `/tasks/${id}`]];
  }
}

/**
 * The line shown after a Cancel: the admin API answers the Cancelled task (200), or the task
 * still InProgress while it is being interrupted where it runs (202).
 */
export function cancelText(task) {
  return task.status === 'Cancelled' ? `Cancel ${task.id}: done, it never runs`
    : `Cancel ${task.id}: under way, it is interrupted where it runs and ends Cancelled`;
}

/**
 * A task's failed attempts, oldest first, as the admin API gives them with one task
 * (`failures`: [{attempt, at, server, exception, message, stackTrace}]); [] in lists, where it is empty.
 */
export function attemptHistory(task) {
  const failures = Array.isArray(task.failures) ? task.failures : [];
  return failures.filter((a) => a && typeof a === 'object').map((a, i) => ({
    attempt: a.attempt ?? i + 1, at: a.at ?? null, server: a.server ?? null, exception: a.exception ?? null,
    message: a.message ?? null, stackTrace: a.stackTrace ?? null,
  }));
}

/** One failed attempt's heading line: "attempt 2 · 2026-11-28 18:00:01Z · server n1 · java.io.IOException". */
export function attemptLine(a) {
  return [`attempt ${a.attempt}`, when(a.at), a.server ? `server ${a.server}` : '', a.exception || '']
    .filter(Boolean).join(' · ');
}

/**
 * The message a task's detail shows above its fields: for an Error task what ended it, for a
 * Cancelled one who cancelled it, for another task with a message what its last failed attempt
 * said; null when there is none.
 */
export function taskError(task) {
  if (!task.message) return null;
  const title = { Error: 'Error', Cancelled: 'Cancelled' }[task.status] || 'Last failed attempt';
  return { title, text: task.message };
}

/**
 * A task's progress as its bar shows it: a whole percent (0 to 100, never rounded up to 100
 * before it is all done) and a line such as "40% (40 of 100): importing"; null when its handler
 * reported none.
 */
export function taskProgress(task) {
  const p = task.progress;
  if (!p || !(p.total > 0)) return null;
  const percent = Math.max(0, Math.min(100, Math.floor(p.percent ?? (100 * p.done) / p.total)));
  return { percent, text: `${percent}% (${p.done} of ${p.total})${p.note ? `: ${p.note}` : ''}` };
}

/**
 * One task's fields for its detail view, as [label, text] in reading order (the message is shown
 * apart: taskError); its progress, time-out, unique key and result only when it has them.
 */
export function taskDetail(task) {
  const optional = [['time-out', task.timeout], ['unique key', task.uniqueKey]].filter(([, value]) => value);
  return [
    ['id', task.id], ['name', task.name], ['handler', task.handler], ['queue', task.queue], ['status', task.status],
    ['author', task.author || ''], ['labels', (task.labels ?? []).join(', ')],
    ...(taskProgress(task) ? [['progress', taskProgress(task).text]] : []),
    ['attempts', `${task.attempts}/${task.maxAttempts}`], ['priority', String(task.priority ?? 0)], ...optional,
    ['owner', task.owner || ''], ['run at', when(task.runAt)],
    ['created', when(task.dateCreated)], ['started', when(task.startedAt)], ['finished', when(task.finishedAt)],
    ['lease until', when(task.leaseUntil)], ['modified', when(task.dateModified)],
    ...(task.parent ? [['parent', task.parent]] : []), ...(task.batch ? [['batch', task.batch]] : []),
    ['parameters', JSON.stringify(task.parameters ?? {}, null, 2)],
    ...(task.result !== undefined && task.result !== null ? [['result', JSON.stringify(task.result, null, 2)]] : []),
  ];
}

/**
 * A batch's progress line: members ended of all, how they ended, and whether its completion task
 * was pushed; the share done for a bar (0 to 1).
 */
export function batchLine(batch) {
  const done = (batch.completed ?? 0) + (batch.failed ?? 0) + (batch.cancelled ?? 0);
  const parts = [`${done}/${batch.total} ended`, `${batch.completed ?? 0} completed`];
  if (batch.failed) parts.push(`${batch.failed} failed`);
  if (batch.cancelled) parts.push(`${batch.cancelled} cancelled`);
  const end = batch.finishedAt ? `all ended ${when(batch.finishedAt)}${batch.onComplete ? `, ${batch.onComplete} pushed` : ''}`
    : (batch.onComplete ? `${batch.onComplete} is pushed when the last ends` : 'no completion task');
  return { text: `${parts.join(', ')}; ${end}`, share: batch.total ? done / batch.total : 0 };
}

/** A chained task's line: its handler, when it is pushed, and whether it was. */
export function childLine(link) {
  const on = link.on === 'Completed' ? 'when this completes' : 'when this fails or is cancelled';
  return `${link.handler} (${link.queue}) ${on}: ${link.pushedAt ? `pushed ${when(link.pushedAt)}` : 'not pushed'}`;
}

/** Running/threads per server of each queue, from the metric snapshots named "<server>/<queue>". */
export function perServer(metrics) {
  const byQueue = {};
  for (const m of metrics || []) {
    if (m.kind !== 'Worker') continue;
    const slash = m.name.lastIndexOf('/');
    const queue = m.name.slice(slash + 1);
    (byQueue[queue] ||= []).push(`${m.name.slice(0, slash)} ${m.numAliveTasks}/${m.numWorkers}`);
  }
  return byQueue;
}

/** One row per queue: the cells shown, the pause/resume action, and whether it has failed tasks to retry. */
export function queueRows(queues, metrics) {
  const servers = perServer(metrics);
  return queues.map((q) => ({
    queue: q.queue,
    failed: (q.counts?.Error ?? 0) > 0,
    cells: [q.queue, ...TASK_STATUSES.map((s) => count(q.counts?.[s], q.countCap)), `${q.running}/${q.threads}`,
      q.paused ? 'paused' : 'running', (servers[q.queue] || q.servers || []).join(', ')],
    action: q.paused
      ? ['Resume', 'POST', `/queues/${encodeURIComponent(q.queue)}/resume`]
      : ['Pause', 'POST', `/queues/${encodeURIComponent(q.queue)}/pause`],
  }));
}

/**
 * One notice per queue and handler whose Waiting tasks no server of the queue can run (the
 * queues' `unservedHandlers`): they wait, they do not fail, until a server with the handler
 * serves the queue. A unit of tasks is counted under its handlers joined by commas.
 */
export function unservedNotices(queues) {
  return queues.flatMap((q) => Object.entries(q.unservedHandlers || {}).filter(([, n]) => n > 0).map(([handler, n]) => {
    const names = handler.split(',').map((h) => `'${h}'`).join(', ');
    const tasks = n === 1 ? '1 task waits' : `${n} tasks wait`;
    const what = handler.includes(',') ? `handlers ${names}, which no server of this queue offers together`
      : `handler ${names}, which no server of this queue offers`;
    return { key: `${q.queue}/${handler}`, queue: q.queue, text: `queue ${q.queue}: ${tasks} for ${what}` };
  }));
}

function count(n, cap) {
  const value = n ?? 0;
  return cap && value >= cap ? `${value}+` : String(value);
}

/**
 * The throughput answer as one bar per minute from `from` to `to` (every queue, or one), with
 * minutes nobody counted at zero: [{minute, completed, failed}].
 */
export function minuteSeries(throughput, queue) {
  const from = Date.parse(throughput.from);
  const to = Date.parse(throughput.to);
  const series = [];
  const index = new Map();
  for (let t = from; t <= to; t += 60_000) {
    index.set(t, series.length);
    series.push({ minute: new Date(t).toISOString(), completed: 0, failed: 0 });
  }
  for (const m of throughput.minutes || []) {
    const i = index.get(Date.parse(m.minute));
    if (i === undefined || (queue && m.queue !== queue)) continue;
    series[i].completed += m.completed;
    series[i].failed += m.failed;
  }
  return series;
}

/**
 * The chart as SVG shapes, without the DOM: stacked bars (completed, then failed above it) per
 * minute in a width × height box, and the y-axis top value. Plain SVG: no chart library to ship.
 */
export function chartBars(series, width, height) {
  const top = Math.max(1, ...series.map((s) => s.completed + s.failed));
  const step = width / Math.max(1, series.length);
  const bars = [];
  series.forEach((s, i) => {
    const x = i * step;
    const hc = (s.completed / top) * height;
    const hf = (s.failed / top) * height;
    if (hc > 0) bars.push({ kind: 'completed', x, y: height - hc, width: Math.max(1, step - 1), height: hc, minute: s.minute, value: s.completed });
    if (hf > 0) bars.push({ kind: 'failed', x, y: height - hc - hf, width: Math.max(1, step - 1), height: hf, minute: s.minute, value: s.failed });
  });
  return { top, bars };
}

/** The enqueue form's fields as the request body; throws an Error naming the field at fault. */
export function enqueueBody({ handler, queue, name, parameters, priority, runAt, uniqueKey, timeout }) {
  if (!handler) throw new Error('handler: choose a handler');
  const body = { handler };
  if (queue) body.queue = queue;
  if (name) body.name = name;
  const parsed = parametersOf(parameters);
  if (parsed) body.parameters = parsed;
  if (priority !== undefined && priority !== '') {
    const n = Number(priority);
    if (!Number.isInteger(n)) throw new Error('priority: give a whole number');
    body.priority = n;
  }
  if (runAt) body.runAt = new Date(runAt).toISOString();
  if (uniqueKey) body.uniqueKey = uniqueKey;
  if (timeout !== undefined && timeout !== '') {
    const seconds = Number(timeout);
    if (!Number.isInteger(seconds) || seconds < 1) throw new Error('time-out: give whole seconds, 1 or more, or leave it empty for no limit');
    body.timeout = `PT${seconds}S`;
  }
  return body;
}

/**
 * The line shown after a push: the admin API answers Kafru-Created: true for a new task, false
 * when a Waiting or InProgress task (or a recently finished one) already holds its unique key.
 */
export function enqueueText(task, created) {
  return created === 'false'
    ? `enqueue: nothing new stored, task ${task.id} (${task.status}) holds unique key '${task.uniqueKey}'`
    : `enqueue: task ${task.id} created in queue ${task.queue}`;
}

function parametersOf(text) {
  if (!text || !text.trim()) return null;
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`parameters: not JSON (${e.message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('parameters: give a JSON object, such as {"invoice": 1234}');
  }
  return parsed;
}

/** The schedule form's fields as the body of POST /schedules or PUT /schedules/{id}; throws an Error naming the field. */
export function scheduleBody({ name, handler, queue, cron, timeZone, parameters, status }) {
  if (!name) throw new Error('name: give the schedule a name');
  if (!handler) throw new Error('handler: choose a handler');
  if (!cron || !cron.trim()) throw new Error('cron: give a cron expression, such as 0 0 2 * * ?');
  const body = { name, handler, cron: cron.trim(), timeZone: timeZone || 'UTC', status: status || 'Enabled' };
  if (queue) body.queue = queue;
  const parsed = parametersOf(parameters);
  if (parsed) body.parameters = parsed;
  return body;
}

/** A stored schedule as a PUT body with one change (e.g. {status: 'Disabled'}); its window and one-time setting are kept. */
export function scheduleWith(schedule, changes) {
  const body = {
    name: schedule.name, handler: schedule.handler, queue: schedule.queue, timeZone: schedule.timeZone,
    oneTime: !!schedule.oneTime, status: schedule.status,
  };
  if (schedule.parameters) body.parameters = schedule.parameters;
  if (schedule.cronExpression) body.cron = schedule.cronExpression;
  else if (schedule.nextSchedule) body.nextSchedule = schedule.nextSchedule;
  if (schedule.startSchedule) body.startSchedule = schedule.startSchedule;
  if (schedule.untilSchedule) body.untilSchedule = schedule.untilSchedule;
  return { ...body, ...changes };
}

/** The cron check request for what is typed so far. */
export function cronPath(cron, timeZone) {
  const params = new URLSearchParams({ cron, timeZone: timeZone || 'UTC', count: '5' });
  return `/cron/next?${params}`;
}

/** A time as a local wall-clock time in a time zone, e.g. "2026-12-01 03:00:00 Europe/Berlin". */
export function inZone(iso, timeZone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${timeZone}`;
}

/** Agents grouped by server, servers in name order, each with its agents as listed. */
export function agentsByServer(agents) {
  const servers = new Map();
  for (const a of agents) {
    if (!servers.has(a.server)) servers.set(a.server, []);
    servers.get(a.server).push(a);
  }
  return [...servers.entries()].sort(([a], [b]) => String(a).localeCompare(String(b)));
}

/** "4 s", "3 min", "2 h" since an instant; '' for none. */
export function age(iso, now = Date.now()) {
  if (!iso) return '';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/**
 * The header's cluster health: the database is up while the admin API answers reads (every read
 * goes to SurrealDB), and a server is alive while one of its agents runs with a fresh heartbeat.
 */
export function health({ databaseError, agents, now = Date.now(), expiryMs = 30_000 }) {
  const alive = new Set();
  const all = new Set();
  for (const a of agents || []) {
    all.add(a.server);
    if (a.status === 'Running' && a.heartbeat && now - Date.parse(a.heartbeat) < expiryMs) alive.add(a.server);
  }
  return {
    database: databaseError ? `SurrealDB down: ${databaseError}` : 'SurrealDB up',
    servers: `${alive.size}/${all.size} server${all.size === 1 ? '' : 's'} alive`,
    ok: !databaseError && alive.size > 0,
  };
}

/** A problem+json answer (or any failed answer) as one line for people. */
export function problemText(status, body) {
  if (body && typeof body === 'object' && body.detail) {
    const fields = (body.invalidFields || []).map((f) => f.name).filter(Boolean);
    return `${body.status || status} ${body.title || ''}: ${body.detail}${fields.length ? ` [${fields.join(', ')}]` : ''}`.trim();
  }
  if (status === 401) return '401: log in (the browser asks for the kafru user and password)';
  return `${status}: the request failed`;
}

/** A time as the page shows it: UTC, to the second; '' for none. */
export function when(iso) {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
}
