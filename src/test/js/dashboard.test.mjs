// Tests of the dashboard's logic (src/main/webapp/kafru/dashboard.mjs) with Node's test runner.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  enqueueBody, problemText, queueRows, taskActions, tasksPath, when,
} from '../../main/webapp/kafru/dashboard.mjs';

test('the task list asks only for the filters given', () => {
  assert.equal(tasksPath({}), '/tasks?limit=50');
  assert.equal(tasksPath({ status: 'Error', queue: 'mail', limit: 20, offset: 40 }),
    '/tasks?status=Error&queue=mail&limit=20&offset=40');
  assert.equal(tasksPath({ queue: 'a&b=c' }), '/tasks?queue=a%26b%3Dc&limit=50');
});

test('a task offers what its status allows, with its id escaped', () => {
  assert.deepEqual(taskActions({ id: 'x1', status: 'Error' }).map((a) => a[0]), ['Retry', 'Remove']);
  assert.deepEqual(taskActions({ id: 'x1', status: 'InProgress' }), [['Terminate', 'POST', '/tasks/x1/terminate']]);
  assert.deepEqual(taskActions({ id: 'a/b', status: 'Waiting' }), [['Remove', 'DELETE', '/tasks/a%2Fb']]);
});

test('queue rows show every status count and the pause or resume action', () => {
  const [paused, running] = queueRows([
    { queue: 'mail', counts: { Waiting: 3, Error: 1 }, threads: 5, running: 2, paused: true, servers: ['n1', 'n2'] },
    { queue: 'default', counts: {}, threads: 0, running: 0, paused: false, servers: [] },
  ]);
  assert.deepEqual(paused.cells, ['mail', '3', '0', '0', '1', '2/5', 'paused', 'n1, n2']);
  assert.deepEqual(paused.action, ['Resume', 'POST', '/queues/mail/resume']);
  assert.deepEqual(running.action, ['Pause', 'POST', '/queues/default/pause']);
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
