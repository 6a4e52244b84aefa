// Tests of the dashboard's logic (src/main/webapp/kafru/dashboard.mjs) with Node's test runner.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  TASK_STATUSES, age, agentName, batchLine, childLine, agentsByServer, attemptHistory, attemptLine, cancelText, chartBars, commandQuestion, countPath, cronPath,
  enqueueBody, enqueueText, health, inZone, minuteSeries, pageText, problemText, purgePath, purgeQuestion, queueRows, removeScheduleQuestion, retryFailedQuestion, route,
  runNowQuestion, scheduleBody, scheduleWith, taskActions, taskDetail, taskError, taskName, taskProgress, taskQuestion, tasksPath, unservedNotices, when,
} from '../../main/webapp/kafru/dashboard.mjs';

test('the task list asks only for the filters given', () => {
  assert.equal(tasksPath({}), '/tasks?limit=50');
  assert.equal(tasksPath({ status: 'Error', queue: 'mail', limit: 20, offset: 40 }),
    '/tasks?status=Error&queue=mail&limit=20&offset=40');
  assert.equal(tasksPath({ queue: 'a&b=c' }), '/tasks?queue=a%26b%3Dc&limit=50');
  assert.equal(tasksPath({ author: 'schedule:nightly' }), '/tasks?author=schedule%3Anightly&limit=50');
  assert.equal(tasksPath({ label: 'tenant-7', status: 'Waiting' }), '/tasks?status=Waiting&label=tenant-7&limit=50');
});

test('a task offers what its status allows, with its id escaped', () => {
  assert.deepEqual(taskActions({ id: 'x1', status: 'Error' }).map((a) => a[0]), ['Retry', 'Remove']);
  assert.deepEqual(taskActions({ id: 'x1', status: 'InProgress' }),
    [['Cancel', 'POST', '/tasks/x1/cancel'], ['Terminate', 'POST', '/tasks/x1/terminate']]);
  assert.deepEqual(taskActions({ id: 'a/b', status: 'Waiting' }),
    [['Cancel', 'POST', '/tasks/a%2Fb/cancel'], ['Remove', 'DELETE', '/tasks/a%2Fb']]);
  assert.deepEqual(taskActions({ id: 'x1', status: 'Cancelled' }), [['Remove', 'DELETE', '/tasks/x1']], 'a cancelled task is not cancelled again');
  assert.deepEqual(taskActions({ id: 'x1', status: 'Completed' }), [['Remove', 'DELETE', '/tasks/x1']]);
  assert.ok(TASK_STATUSES.includes('Cancelled'), 'Cancelled can be filtered for');
});

test('a cancel says whether the task ended Cancelled or is being interrupted where it runs', () => {
  assert.equal(cancelText({ id: 'k1', status: 'Cancelled' }), 'Cancel k1: done, it never runs');
  assert.equal(cancelText({ id: 'k1', status: 'InProgress' }), 'Cancel k1: under way, it is interrupted where it runs and ends Cancelled');
  const task = { id: 'k1', name: 'invoice', status: 'Waiting' };
  assert.equal(taskQuestion('Cancel', task), 'Cancel task invoice (k1)? It never runs and ends Cancelled.');
  assert.equal(taskQuestion('Cancel', { ...task, status: 'InProgress' }),
    'Cancel task invoice (k1)? It is interrupted where it runs and ends Cancelled.');
});

test('each queue names the handlers its waiting tasks need and no server of it offers', () => {
  assert.deepEqual(unservedNotices([
    { queue: 'default', unservedHandlers: { 'acc-count': 142, 'one-off': 1, gone: 0 } },
    { queue: 'mail', unservedHandlers: { 'a,b': 3 } },
    { queue: 'fine', unservedHandlers: {} }, { queue: 'old' }]), [
    { key: 'default/acc-count', queue: 'default',
      text: "queue default: 142 tasks wait for handler 'acc-count', which no server of this queue offers" },
    { key: 'default/one-off', queue: 'default', text: "queue default: 1 task waits for handler 'one-off', which no server of this queue offers" },
    { key: 'mail/a,b', queue: 'mail', text: "queue mail: 3 tasks wait for handlers 'a', 'b', which no server of this queue offers together" },
  ]);
});

test('queue rows show every status count and the pause or resume action', () => {
  const [paused, running] = queueRows([
    { queue: 'mail', counts: { Waiting: 3, Error: 1, Cancelled: 4 }, threads: 5, running: 2, paused: true, servers: ['n1', 'n2'] },
    { queue: 'default', counts: {}, threads: 0, running: 0, paused: false, servers: [] },
  ]);
  assert.deepEqual(paused.cells, ['mail', '3', '0', '0', '1', '4', '2/5', 'paused', 'n1, n2']);
  assert.deepEqual(paused.action, ['Resume', 'POST', '/queues/mail/resume']);
  assert.deepEqual(running.action, ['Pause', 'POST', '/queues/default/pause']);
  assert.deepEqual([paused.queue, paused.failed, running.failed], ['mail', true, false], 'Retry failed only where some failed');
});

test('the enqueue form becomes a request body, or an error naming the field', () => {
  assert.deepEqual(enqueueBody({ handler: 'hello', queue: '', parameters: ' {"name": "x"} ', priority: '7' }),
    { handler: 'hello', parameters: { name: 'x' }, priority: 7 });
  assert.deepEqual(enqueueBody({ handler: 'hello', runAt: '2026-12-01T08:00:00Z' }),
    { handler: 'hello', runAt: '2026-12-01T08:00:00.000Z' });
  assert.throws(() => enqueueBody({ handler: '' }), /^Error: handler/);
  assert.throws(() => enqueueBody({ handler: 'h', parameters: '{oops' }), /^Error: parameters: not JSON/);
  assert.throws(() => enqueueBody({ handler: 'h', parameters: '[1]' }), /^Error: parameters: give a JSON object/);
  assert.throws(() => enqueueBody({ handler: 'h', priority: '1.5' }), /^Error: priority/);
  assert.deepEqual(enqueueBody({ handler: 'h', uniqueKey: 'invoice-42', timeout: '30' }),
    { handler: 'h', uniqueKey: 'invoice-42', timeout: 'PT30S' });
  assert.deepEqual(enqueueBody({ handler: 'h', uniqueKey: '', timeout: '' }), { handler: 'h' }, 'empty fields are left out');
  for (const bad of ['0', '-5', '1.5', 'soon']) assert.throws(() => enqueueBody({ handler: 'h', timeout: bad }), /^Error: time-out/, bad);
});

test('a push says whether it stored a new task or answered the one holding its unique key', () => {
  assert.equal(enqueueText({ id: 't3', queue: 'mail', status: 'Waiting' }, 'true'), 'enqueue: task t3 created in queue mail');
  assert.equal(enqueueText({ id: 't1', queue: 'mail', status: 'InProgress', uniqueKey: 'invoice-42' }, 'false'),
    "enqueue: nothing new stored, task t1 (InProgress) holds unique key 'invoice-42'");
});

test('a problem reads as one line with the fields at fault', () => {
  assert.equal(problemText(400, { status: 400, title: 'Invalid input', detail: 'bad cron', invalidFields: [{ name: 'cron' }] }),
    '400 Invalid input: bad cron [cron]');
  assert.match(problemText(401, null), /log in/);
  assert.equal(problemText(502, 'gateway'), '502: the request failed');
});

test('times show in UTC to the second', () => {
  assert.equal(when('2026-11-28T18:19:36.866339529Z'), '2026-11-28 18:19:36Z');
  assert.equal(when(null), '');
});

test('the location hash names the page, and a task detail by its id', () => {
  assert.deepEqual(route('#tasks'), { page: 'tasks', id: null });
  assert.deepEqual(route('#task/a%2Fb'), { page: 'task', id: 'a/b' });
  assert.deepEqual(route(''), { page: 'queues', id: null });
  assert.deepEqual(route('#nonsense'), { page: 'queues', id: null });
});

test('paging says where it is and whether there is more, also past a capped count', () => {
  assert.deepEqual(pageText({ offset: 100, shown: 100, count: { count: 250, capped: false } }),
    { text: '101–200 of 250', previous: true, next: true });
  assert.deepEqual(pageText({ offset: 200, shown: 50, count: { count: 250, capped: false } }),
    { text: '201–250 of 250', previous: true, next: false });
  assert.deepEqual(pageText({ offset: 10000, shown: 100, count: { count: 10000, capped: true } }),
    { text: '10001–10100 of at least 10000', previous: true, next: true });
  assert.equal(countPath({ status: 'Error', name: 'x y' }), '/tasks/count?status=Error&name=x+y');
});

test('a purge asks with the count and filters, and is not offered for filters it cannot apply', () => {
  assert.equal(purgeQuestion({ status: 'Error', queue: 'mail' }, { count: 3, capped: false }), 'Remove 3 Error tasks of queue mail?');
  assert.equal(purgeQuestion({}, { count: 10000, capped: true }), 'Remove at least 10000 tasks of every queue?');
  assert.equal(purgePath({ status: 'Error' }), '/tasks?status=Error');
  assert.equal(purgePath({ handler: 'hello' }), null);
  assert.equal(purgePath({ author: 'ops' }), null, 'a purge cannot filter by author');
  assert.equal(purgePath({ label: 'tenant-7' }), null, 'nor by label');
});

test('the chart has a bar per counted minute, stacked, zero minutes filled in', () => {
  const series = minuteSeries({ from: '2026-11-28T17:58:00Z', to: '2026-11-28T18:00:00Z', minutes: [
    { queue: 'a', minute: '2026-11-28T17:59:00Z', completed: 6, failed: 2 },
    { queue: 'b', minute: '2026-11-28T17:59:00Z', completed: 2, failed: 0 }] });
  assert.deepEqual(series.map((s) => [s.completed, s.failed]), [[0, 0], [8, 2], [0, 0]]);
  assert.deepEqual(minuteSeries({ from: '2026-11-28T17:59:00Z', to: '2026-11-28T17:59:00Z', minutes: [
    { queue: 'a', minute: '2026-11-28T17:59:00Z', completed: 6, failed: 2 }] }, 'b').map((s) => s.completed), [0]);
  const { top, bars } = chartBars(series, 300, 100);
  assert.equal(top, 10);
  assert.deepEqual(bars.map((b) => [b.kind, b.x, b.y, b.height]), [['completed', 100, 20, 80], ['failed', 100, 0, 20]]);
});

test('the schedule form becomes a body, and a stored schedule keeps its fields when enabled or disabled', () => {
  assert.deepEqual(scheduleBody({ name: 'n', handler: 'h', queue: '', cron: ' 0 0 2 * * ? ', timeZone: '', parameters: '' }),
    { name: 'n', handler: 'h', cron: '0 0 2 * * ?', timeZone: 'UTC', status: 'Enabled' });
  assert.throws(() => scheduleBody({ name: 'n', handler: 'h', cron: '' }), /^Error: cron/);
  assert.deepEqual(scheduleWith({ name: 'once', handler: 'h', queue: 'q', timeZone: 'UTC', oneTime: true, status: 'Enabled',
    nextSchedule: '2027-01-01T00:00:00Z' }, { status: 'Disabled' }),
  { name: 'once', handler: 'h', queue: 'q', timeZone: 'UTC', oneTime: true, status: 'Disabled', nextSchedule: '2027-01-01T00:00:00Z' });
  assert.equal(cronPath('0 0 2 * * ?', 'Europe/Berlin'), '/cron/next?cron=0+0+2+*+*+%3F&timeZone=Europe%2FBerlin&count=5');
  assert.equal(inZone('2026-12-01T01:00:00Z', 'Europe/Berlin'), '2026-12-01 02:00:00 Europe/Berlin');
});

test('health: the database is up while reads answer; a server is alive with a fresh running agent', () => {
  const now = Date.parse('2026-11-28T18:00:00Z');
  const agents = [{ server: 'n1', status: 'Running', heartbeat: '2026-11-28T17:59:58Z' },
    { server: 'n2', status: 'Running', heartbeat: '2026-11-28T17:50:00Z' }];
  assert.deepEqual(health({ agents, now }), { database: 'SurrealDB up', servers: '1/2 servers alive', ok: true });
  assert.equal(health({ databaseError: '503 x', agents, now }).ok, false);
  assert.equal(age('2026-11-28T17:59:58Z', now), '2 s');
  assert.deepEqual(agentsByServer([{ server: 'b', id: 1 }, { server: 'a', id: 2 }, { server: 'b', id: 3 }])
    .map(([s, l]) => [s, l.length]), [['a', 1], ['b', 2]]);
});

test('questions before a destructive action name what it acts on and how many', () => {
  assert.equal(retryFailedQuestion('mail', { count: 3, capped: false }),
    'Retry 3 failed tasks of queue mail? They go back to Waiting, due now, with fresh attempts.');
  assert.match(retryFailedQuestion('mail', { count: 10000, capped: true }), /^Retry at least 10000 failed tasks of queue mail\?/);
  const task = { id: 'k1', name: 'invoice', handler: 'send', status: 'Waiting' };
  assert.equal(taskName(task), 'task invoice (k1)');
  assert.equal(taskName({ id: 'k2', handler: 'send' }), 'task send (k2)', 'the handler when it has no name');
  assert.equal(taskQuestion('Remove', task), 'Remove task invoice (k1), Waiting? It cannot be brought back.');
  assert.match(taskQuestion('Terminate', task), /^Terminate task invoice \(k1\)\?/);
  assert.equal(taskQuestion('Retry', task), null, 'a retry of one task asks nothing');
  const schedule = { name: 'nightly', handler: 'report', queue: 'reports', nextSchedule: '2026-12-02T01:00:00Z' };
  assert.equal(runNowQuestion(schedule),
    'Run schedule nightly now? It pushes one report task into queue reports. Its next run stays at 2026-12-02 01:00:00Z.');
  assert.equal(runNowQuestion({ ...schedule, nextSchedule: null }), 'Run schedule nightly now? It pushes one report task into queue reports.');
  assert.equal(removeScheduleQuestion(schedule), 'Remove schedule nightly? The tasks it pushed stay.');
  const worker = { kind: 'Queue', name: 'mail', server: 'n1' };
  assert.equal(agentName(worker), 'queue worker mail on server n1');
  assert.equal(agentName({ kind: 'Task', queueId: 'k1', server: 'n2' }), 'task k1 on server n2');
  assert.equal(commandQuestion(worker, 'QueueForceShutdown'), 'Send QueueForceShutdown to the queue worker mail on server n1?');
});

test("a task detail takes the task's failures as its attempt history, and shows the error apart", () => {
  const entry = { attempt: 2, at: '2026-11-28T18:00:01.25Z', server: 'n1', exception: 'java.io.IOException', message: 'm',
    stackTrace: 's' };
  assert.deepEqual(attemptHistory({ attempts: 2, failures: [entry] }), [entry]);
  assert.deepEqual(attemptHistory({ attempts: 3 }), [], 'no failures, no history');
  assert.deepEqual(attemptHistory({ attempts: 3, failures: [] }), [], 'a list gives them empty');
  assert.deepEqual(attemptHistory({ failures: [{ message: 'no number' }, null] }),
    [{ attempt: 1, at: null, server: null, exception: null, message: 'no number', stackTrace: null }]);
  assert.equal(attemptLine(entry), 'attempt 2 · 2026-11-28 18:00:01Z · server n1 · java.io.IOException');
  assert.equal(attemptLine({ attempt: 1 }), 'attempt 1');
  assert.deepEqual(taskError({ status: 'Error', message: 'boom' }), { title: 'Error', text: 'boom' });
  assert.deepEqual(taskError({ status: 'Waiting', message: 'timeout' }), { title: 'Last failed attempt', text: 'timeout' });
  assert.equal(taskError({ status: 'Completed', message: null }), null);
  assert.deepEqual(taskError({ status: 'Cancelled', message: 'cancelled by admin' }), { title: 'Cancelled', text: 'cancelled by admin' });
  const fields = Object.fromEntries(taskDetail({ id: 'k', attempts: 2, maxAttempts: 3, failures: [entry, entry] }));
  assert.equal(fields.attempts, '2/3');
  assert.ok(!('time-out' in fields) && !('unique key' in fields), 'no time-out and no unique key: not shown');
  const optioned = Object.fromEntries(taskDetail({ id: 'k', timeout: 'PT30S', uniqueKey: 'invoice-42' }));
  assert.deepEqual([optioned['time-out'], optioned['unique key']], ['PT30S', 'invoice-42']);
  assert.equal(fields.author, '', 'no author shown empty');
  assert.equal(Object.fromEntries(taskDetail({ id: 'k', author: 'schedule:nightly' })).author, 'schedule:nightly');
  assert.equal(Object.fromEntries(taskDetail({ id: 'k', labels: ['tenant-7', 'import'] })).labels, 'tenant-7, import');
  assert.equal(fields.labels, '', 'no labels shown empty');
  assert.equal(fields.message, undefined, 'the message is shown apart, as the error');
  assert.ok(!('result' in fields), 'no result: not shown');
  assert.equal(Object.fromEntries(taskDetail({ id: 'k', result: { total: 12.5, lines: [1] } })).result,
    JSON.stringify({ total: 12.5, lines: [1] }, null, 2));
  assert.equal(Object.fromEntries(taskDetail({ id: 'k', result: 0 })).result, '0', 'a falsy result is still shown');
});

test('a task shows its parent and batch, a batch its members ended, a chained task when it is pushed', () => {
  const plain = Object.fromEntries(taskDetail({ id: 'k' }));
  assert.ok(!('parent' in plain) && !('batch' in plain), 'none: not shown');
  const linked = Object.fromEntries(taskDetail({ id: 'k', parent: 'p1', batch: 'b1' }));
  assert.deepEqual([linked.parent, linked.batch], ['p1', 'b1']);
  const open = batchLine({ id: 'b1', total: 4, completed: 2, failed: 1, cancelled: 0, onComplete: 'report', finishedAt: null });
  assert.equal(open.share, 0.75);
  assert.equal(open.text, '3/4 ended, 2 completed, 1 failed; report is pushed when the last ends');
  const ended = batchLine({ id: 'b1', total: 2, completed: 2, failed: 0, cancelled: 0, onComplete: null, finishedAt: '2026-12-06T10:00:00Z' });
  assert.equal(ended.share, 1);
  assert.ok(ended.text.startsWith('2/2 ended, 2 completed; all ended'), ended.text);
  assert.equal(childLine({ id: 'c', handler: 'alert', queue: 'ops', on: 'Failed', pushedAt: null }),
    'alert (ops) when this fails or is cancelled: not pushed');
  assert.ok(childLine({ id: 'c', handler: 'next', queue: 'q', on: 'Completed', pushedAt: '2026-12-06T10:00:00Z' })
    .startsWith('next (q) when this completes: pushed '));
});

test('a task shows its progress as a whole percent that reads 100 only when all is done, and none when it reported none', () => {
  assert.deepEqual(taskProgress({ progress: { done: 40, total: 100, note: 'importing', percent: 40 } }),
    { percent: 40, text: '40% (40 of 100): importing' });
  assert.deepEqual(taskProgress({ progress: { done: 999, total: 1000, note: null, percent: 99.9 } }),
    { percent: 99, text: '99% (999 of 1000)' }, 'not rounded up to 100 before the end');
  assert.equal(taskProgress({ progress: { done: 1, total: 3 } }).percent, 33, 'computed when percent is missing');
  assert.equal(taskProgress({ progress: null }), null);
  assert.equal(taskProgress({}), null);
  assert.equal(taskProgress({ progress: { done: 0, total: 0 } }), null, 'no total: no bar');
  assert.equal(Object.fromEntries(taskDetail({ id: 'k', progress: { done: 1, total: 4, percent: 25 } })).progress, '25% (1 of 4)');
  assert.ok(!('progress' in Object.fromEntries(taskDetail({ id: 'k' }))), 'no progress: not shown');
});
