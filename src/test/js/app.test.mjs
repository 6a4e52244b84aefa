// The dashboard page (index.html + app.mjs) in jsdom, against a recorded admin API: what it shows,
// that outside text stays text, which requests its buttons and forms send, and that a viewer gets
// no write controls. (src/test/js/browser/ runs the same page in Chromium against kafru.war.)
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { JSDOM } from 'jsdom';

const page = new URL('../../main/webapp/kafru/', import.meta.url);
const hostile = '<img src=x onerror="globalThis.owned = true">';
const fresh = new Date().toISOString();

const answers = {
  'GET api/me': [200, { user: 'admin', admin: true }],
  'GET api/handlers': [200, ['hello', 'report']],
  'GET api/queues': [200, [{ queue: 'default', counts: { Waiting: 1, InProgress: 1, Completed: 7, Error: 1 }, countCap: 1000,
    threads: 5, running: 1, paused: false, servers: ['n1'] }]],
  'GET api/metrics': [200, [{ name: 'n1/default', kind: 'Worker', numAliveTasks: 1, numWorkers: 5, timestamp: fresh }]],
  'GET api/queues/throughput?minutes=60': [200, { from: '2026-11-28T17:01:00Z', to: '2026-11-28T18:00:00Z',
    minutes: [{ queue: 'default', minute: '2026-11-28T17:59:00Z', completed: 40, failed: 2 }] }],
  'GET api/tasks?limit=100': [200, [
    { id: 't1', name: 'hello', handler: 'hello', queue: 'default', status: 'Error', attempts: 3, maxAttempts: 3,
      runAt: '2026-11-28T18:00:00.123Z', message: hostile, parameters: { who: hostile } },
    { id: 't2', name: 'report', handler: 'report', queue: 'default', status: 'InProgress', attempts: 1, maxAttempts: 3,
      runAt: '2026-11-28T18:00:01Z', message: null, labels: ['tenant-7', 'import'],
      progress: { done: 3, total: 8, note: '<b>rows</b>', percent: 37.5 } }]],
  'GET api/tasks/count': [200, { count: 2, cap: 10000, capped: false }],
  'GET api/tasks/t1': [200, { id: 't1', name: 'hello', handler: 'hello', queue: 'default', status: 'Error', attempts: 3,
    maxAttempts: 3, runAt: '2026-11-28T18:00:00Z', message: hostile, owner: 'n1/default', parameters: { who: hostile } }],
  'GET api/schedules?limit=200': [200, [{ id: 's1', name: 'nightly', handler: 'report', queue: 'default',
    cronExpression: '0 0 2 * * ?', timeZone: 'Europe/Berlin', status: 'Enabled', nextSchedule: '2026-11-29T01:00:00Z' }]],
  'GET api/agents': [200, [{ id: 'a1', kind: 'Queue', name: 'default', server: 'n1', status: 'Running',
    heartbeat: fresh, command: null }]],
  'POST api/tasks/t1/retry': [200, { id: 't1', status: 'Waiting' }],
  'POST api/tasks': [201, { id: 't3', status: 'Waiting' }],
  'PUT api/schedules/s1': [200, { id: 's1' }],
  'GET api/tasks/count?status=Error&queue=default': [200, { count: 1, cap: 10000, capped: false }],
  'POST api/queues/default/retry-failed': [200, { retried: 1 }],
  'POST api/schedules/s1/run': [201, { id: 't7', name: 'nightly', handler: 'report', queue: 'default', status: 'Waiting' }],
  'DELETE api/tasks/t1': [204, null],
  'DELETE api/schedules/s1': [204, null],
  'POST api/tasks/t2/terminate': [202, { id: 't2', status: 'InProgress' }],
  'POST api/queues/default/pause': [403, { type: 'urn:kafru:problem:forbidden', title: 'Forbidden', status: 403,
    detail: "user 'viewer' may not change anything here: that needs role kafru-admin" }],
};

// timers: leave setInterval as it is (a test's fake timers); otherwise the page's refresh never runs
async function openDashboard({ answered = answers, timers = false, hash = '#queues' } = {}) {
  const html = await readFile(new URL('index.html', page), 'utf8');
  const dom = new JSDOM(html, { url: `http://localhost:8080/kafru/${hash}` });
  const sent = [];
  globalThis.window = dom.window;
  globalThis.document = dom.window.document;
  globalThis.location = dom.window.location;
  globalThis.Option = dom.window.Option;
  if (!timers) globalThis.setInterval = () => 0;
  globalThis.fetch = async (url, init) => {
    const key = `${init.method} ${url}`;
    sent.push({ key, body: init.body === undefined ? undefined : JSON.parse(init.body), type: init.headers['Content-Type'],
      requestedBy: init.headers['X-Requested-By'] });
    const [status, body, headers = {}] = answered[key] || [404, { title: 'Not Found', status: 404, detail: `no ${key} here` }];
    return { ok: status < 400, status, headers: { get: (name) => headers[name] ?? null }, text: async () => JSON.stringify(body) };
  };
  await import(new URL(`app.mjs?${Math.random()}`, page));
  const doc = dom.window.document;
  await until(() => doc.querySelector('#updated').textContent);
  return { doc, window: dom.window, sent };
}

/** Waits for a condition to hold, and returns what it gave. */
async function until(condition) {
  const deadline = Date.now() + 3000;
  let value;
  while (!(value = condition())) {
    if (Date.now() > deadline) throw new Error(`not within 3 s: ${condition}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return value;
}

const texts = (row) => [...row.querySelectorAll('td')].map((td) => td.textContent);

test('the queues page shows counts, running per server, a chart of the last hour and the cluster health', async () => {
  const { doc } = await openDashboard();
  assert.equal(doc.querySelector('#page-queues').hidden, false);
  assert.equal(doc.querySelector('#page-tasks').hidden, true, 'one page at a time');
  assert.deepEqual([...doc.querySelectorAll('#handler option')].map((o) => o.value), ['hello', 'report']);
  assert.deepEqual(texts(doc.querySelector('#queues tbody tr')), ['default', '1', '1', '7', '1', '0', '1/5', 'running', 'n1 1/5',
    'PauseRetry failed']);
  assert.equal(doc.querySelector('#queues tbody td.status').textContent, 'running');
  assert.equal(doc.querySelector('#unserved').hidden, true, 'no notice while every waiting task has a server');
  assert.equal(doc.querySelectorAll('#chart-svg rect.completed').length, 1);
  assert.equal(doc.querySelectorAll('#chart-svg rect.failed').length, 1);
  assert.equal(doc.querySelector('#chart-total').textContent, 'last hour: 40 completed, 2 failed');
  assert.equal(doc.querySelector('#health-db').textContent, 'SurrealDB up');
  assert.equal(doc.querySelector('#health-servers').textContent, '1/1 server alive');
});

test('the tasks page pages with a total, outside text stays text, and the detail shows every field', async () => {
  const { doc, window } = await openDashboard({ hash: '#tasks' });
  await until(() => doc.querySelectorAll('#tasks tbody tr').length === 2);
  assert.equal(doc.querySelector('#page-text').textContent, '1–2 of 2');
  assert.equal(doc.querySelector('#page-next').disabled, true);
  const [failed, running] = doc.querySelectorAll('#tasks tbody tr');
  const message = failed.querySelectorAll('td')[10];
  assert.equal(running.querySelectorAll('td')[9].textContent, 'tenant-7, import', 'a task\'s labels in its row');
  assert.equal(failed.querySelectorAll('td')[9].textContent, '', 'none when it has none');
  assert.equal(message.children.length, 0, `a task message is never HTML: ${message.innerHTML}`);
  assert.equal(message.innerHTML, '&lt;img src=x onerror="globalThis.owned = true"&gt;', 'the markup is shown escaped, as text');
  assert.equal(doc.querySelector('img'), null, 'a task message is never HTML');
  assert.equal(texts(failed)[7], '2026-11-28 18:00:00Z');
  assert.equal(failed.querySelector('td.progress').textContent, '', 'no progress reported: no bar');
  const bar = running.querySelector('td.progress progress');
  assert.equal(bar.value, 37, 'a bar at the whole percent');
  assert.equal(bar.getAttribute('aria-label'), 'progress 37% (3 of 8): <b>rows</b>', 'named with its numbers; the note stays text');
  assert.equal(running.querySelector('td.progress').textContent, ' 37%');
  assert.deepEqual([...failed.querySelectorAll('button')].map((b) => b.textContent), ['Retry', 'Remove']);
  assert.deepEqual([...running.querySelectorAll('button')].map((b) => b.textContent), ['Cancel', 'Terminate']);
  assert.deepEqual([failed, running].map((r) => r.querySelector('td.status').dataset.status), ['Error', 'InProgress'], 'coloured by status');
  assert.deepEqual([...doc.querySelectorAll('#task-status option')].map((o) => o.value), ['', 'Waiting', 'InProgress', 'Completed', 'Error',
    'Cancelled']);

  window.location.hash = '#task/t1';
  await until(() => doc.querySelector('#task-detail [data-field="owner"]')?.textContent === 'n1/default');
  assert.equal(doc.querySelector('#page-task').hidden, false);
  assert.equal(doc.querySelector('#task-detail [data-field="parameters"]').textContent, JSON.stringify({ who: hostile }, null, 2));
  assert.equal(doc.querySelector('#task-error').hidden, false, 'the error is shown above the fields');
  assert.equal(doc.querySelector('#task-error-title').textContent, 'Error');
  assert.equal(doc.querySelector('#task-message').textContent, hostile);
  assert.equal(doc.querySelector('#task-history').hidden, true, 'no attempt history on this task');
  assert.equal(doc.querySelector('img'), null);
  assert.deepEqual([...doc.querySelectorAll('#task-actions button')].map((b) => b.textContent), ['Retry', 'Remove']);
});

test('buttons and forms send the admin API requests, and refusals are shown', async () => {
  const { doc, window, sent } = await openDashboard({ hash: '#tasks' });
  await until(() => doc.querySelectorAll('#tasks tbody tr').length === 2);
  doc.querySelector('#tasks tbody tr button').click();
  await until(() => sent.some((s) => s.key === 'POST api/tasks/t1/retry') && /done/.test(doc.querySelector('#message').textContent));

  window.location.hash = '#queues';
  await until(() => doc.querySelector('#queues tbody tr'));
  const form = doc.querySelector('#enqueue');
  form.elements.namedItem('parameters').value = '{oops';
  form.dispatchEvent(new window.Event('submit', { cancelable: true }));
  assert.match(doc.querySelector('#message').textContent, /^parameters: not JSON/);
  assert.equal(sent.filter((s) => s.key === 'POST api/tasks').length, 0, 'nothing sent for a bad form');

  form.elements.namedItem('parameters').value = '{"invoice": 1234}';
  form.elements.namedItem('priority').value = '5';
  form.dispatchEvent(new window.Event('submit', { cancelable: true }));
  await until(() => sent.some((s) => s.key === 'POST api/tasks'));
  const enqueue = sent.find((s) => s.key === 'POST api/tasks');
  assert.deepEqual(enqueue.body, { handler: 'hello', parameters: { invoice: 1234 }, priority: 5 });
  assert.equal(enqueue.type, 'application/json');

  doc.querySelector('#queues tbody button').click();
  await until(() => /^403 Forbidden: user 'viewer'/.test(doc.querySelector('#message').textContent));
  assert.equal(doc.querySelector('#message').className, 'failed');

  window.location.hash = '#schedules';
  await until(() => doc.querySelector('#schedules tbody tr'));
  const disable = [...doc.querySelectorAll('#schedules tbody button')].find((b) => b.textContent === 'Disable');
  disable.click();
  await until(() => sent.some((s) => s.key === 'PUT api/schedules/s1'));
  assert.deepEqual(sent.find((s) => s.key === 'PUT api/schedules/s1').body, { name: 'nightly', handler: 'report', queue: 'default',
    timeZone: 'Europe/Berlin', oneTime: false, status: 'Disabled', cron: '0 0 2 * * ?' });
  const writes = sent.filter((s) => !s.key.startsWith('GET '));
  assert.ok(writes.length >= 4, `writes sent: ${writes.map((s) => s.key)}`);
  assert.deepEqual(writes.filter((s) => s.requestedBy !== 'kafru').map((s) => s.key), [],
    'every write carries X-Requested-By, which the API asks of writes and no cross-site form can send');
});

test('a viewer gets no write controls on any page', async () => {
  const { doc, window } = await openDashboard({ answered: { ...answers, 'GET api/me': [200, { user: 'grafana', admin: false }] },
    hash: '#tasks' });
  await until(() => doc.querySelectorAll('#tasks tbody tr').length === 2);
  for (const [hash, shown] of [['#queues', 'queues'], ['#schedules', 'schedules'], ['#agents', 'agents'], ['#task/t1', 'task']]) {
    window.location.hash = hash;
    await until(() => doc.querySelector(`#page-${shown}`).hidden === false);
    await until(() => doc.querySelector('#updated').textContent && !doc.querySelector('#message').textContent.startsWith('404'));
  }
  await until(() => doc.querySelector('#task-detail [data-field="status"]'));
  assert.equal(doc.querySelectorAll('.write').length, 0);
  assert.deepEqual([...doc.querySelectorAll('button')].map((b) => b.textContent), ['Filter', 'Previous', 'Next'],
    'only the buttons that read');
  assert.equal(doc.querySelector('#enqueue'), null);
  assert.equal(doc.querySelector('#schedule-form'), null);
  assert.match(doc.querySelector('#user').textContent, /viewer/);
});

test('the page refreshes every 3 s with one read of what it shows, and shows what changed', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const changing = { ...answers };
  const { doc, sent } = await openDashboard({ answered: changing, timers: true });
  const reads = ['GET api/queues', 'GET api/metrics', 'GET api/queues/throughput?minutes=60', 'GET api/agents'];
  const count = (key) => sent.filter((s) => s.key === key).length;
  assert.deepEqual(reads.map(count), [1, 1, 1, 1], 'loaded once');
  assert.equal(count('GET api/handlers'), 1);
  assert.equal(count('GET api/tasks?limit=100'), 0, 'a page not shown is not read');

  changing['GET api/queues'] = [200, [{ queue: 'default', counts: { Waiting: 4, InProgress: 0, Completed: 9, Error: 1 },
    threads: 5, running: 0, paused: true, servers: ['n1'] }]];
  t.mock.timers.tick(2999);
  assert.deepEqual(reads.map(count), [1, 1, 1, 1], 'nothing is read again before 3 s');

  t.mock.timers.tick(1);
  await until(() => reads.every((key) => count(key) === 2));
  await until(() => texts(doc.querySelector('#queues tbody tr'))[1] === '4');
  assert.deepEqual(texts(doc.querySelector('#queues tbody tr')), ['default', '4', '0', '9', '1', '0', '0/5', 'paused', 'n1 1/5',
    'ResumeRetry failed']);
  assert.equal(count('GET api/handlers'), 1, 'the handlers are read once, at start');

  t.mock.timers.tick(3000);
  await until(() => reads.every((key) => count(key) === 3));
  assert.equal(sent.filter((s) => !s.key.startsWith('GET ')).length, 0, 'a refresh only reads');
});

/** The fake API's answers with a confirm() that records each question and answers `yes`. */
function confirming(window, yes) {
  const asked = [];
  window.confirm = (question) => {
    asked.push(question);
    return yes;
  };
  return asked;
}

test('Remove and Terminate ask first, name the task, and send nothing when the question is cancelled', async () => {
  const { doc, window, sent } = await openDashboard({ hash: '#tasks' });
  await until(() => doc.querySelectorAll('#tasks tbody tr').length === 2);
  const [failed, running] = doc.querySelectorAll('#tasks tbody tr');
  const remove = [...failed.querySelectorAll('button')].find((b) => b.textContent === 'Remove');
  assert.equal(remove.getAttribute('aria-label'), 'Remove: task hello (t1)', 'named for a screen reader, with the task');
  assert.equal(failed.querySelector('button').getAttribute('aria-label'), 'Retry: task hello (t1)');
  let asked = confirming(window, false);
  remove.click();
  await until(() => /cancelled/.test(doc.querySelector('#message').textContent));
  assert.deepEqual(asked, [`Remove task hello (t1), Error? It cannot be brought back.`]);
  assert.equal(sent.filter((s) => s.key === 'DELETE api/tasks/t1').length, 0, 'a cancelled Remove sends nothing');

  asked = confirming(window, true);
  remove.click();
  await until(() => sent.some((s) => s.key === 'DELETE api/tasks/t1'));
  await until(() => doc.querySelector('#message').textContent === 'Remove t1: done');

  const terminate = [...running.querySelectorAll('button')].find((b) => b.textContent === 'Terminate');
  assert.equal(terminate.getAttribute('aria-label'), 'Terminate: task report (t2)');
  terminate.click();
  await until(() => sent.some((s) => s.key === 'POST api/tasks/t2/terminate'));
  assert.match(asked.at(-1), /^Terminate task report \(t2\)\? It is interrupted where it runs and ends Error\.$/);
  assert.ok(sent.filter((s) => !s.key.startsWith('GET ')).every((s) => s.requestedBy === 'kafru'));
});

test("a queue's failed tasks are retried after a question that names how many", async () => {
  const { doc, window, sent } = await openDashboard();
  const retry = await until(() => [...doc.querySelectorAll('#queues tbody button')].find((b) => b.textContent === 'Retry failed'));
  assert.equal(retry.getAttribute('aria-label'), 'Retry failed: queue default');
  let asked = confirming(window, false);
  retry.click();
  await until(() => asked.length === 1);
  assert.equal(asked[0], 'Retry 1 failed task of queue default? It goes back to Waiting, due now, with fresh attempts.');
  assert.ok(sent.some((s) => s.key === 'GET api/tasks/count?status=Error&queue=default'), 'counted just before asking');
  await until(() => /cancelled/.test(doc.querySelector('#message').textContent));
  assert.equal(sent.filter((s) => s.key === 'POST api/queues/default/retry-failed').length, 0);

  asked = confirming(window, true);
  retry.click();
  await until(() => doc.querySelector('#message').textContent === 'retried 1 failed task of queue default');
  assert.equal(sent.filter((s) => s.key === 'POST api/queues/default/retry-failed').length, 1);
  assert.equal(sent.find((s) => s.key === 'POST api/queues/default/retry-failed').requestedBy, 'kafru');
});

test('a schedule runs now, and is removed, only after a question', async () => {
  const { doc, window, sent } = await openDashboard({ hash: '#schedules' });
  await until(() => doc.querySelector('#schedules tbody tr'));
  const button = (label) => [...doc.querySelectorAll('#schedules tbody button')].find((b) => b.textContent === label);
  assert.deepEqual([...doc.querySelectorAll('#schedules tbody button')].map((b) => b.getAttribute('aria-label')),
    ['Disable: schedule nightly', 'Run now: schedule nightly', 'Edit: schedule nightly', 'Remove: schedule nightly']);
  let asked = confirming(window, false);
  button('Remove').click();
  button('Run now').click();
  await until(() => asked.length === 2);
  assert.deepEqual(asked, ['Remove schedule nightly? The tasks it pushed stay.',
    'Run schedule nightly now? It pushes one report task into queue default. Its next run stays at 2026-11-29 01:00:00Z.']);
  assert.equal(sent.filter((s) => /^(DELETE|POST) api\/schedules/.test(s.key)).length, 0, 'nothing sent when cancelled');
  asked = confirming(window, true);
  button('Run now').click();
  await until(() => doc.querySelector('#message').textContent === 'run nightly now: task t7 pushed into queue default');
  button('Remove').click();
  await until(() => sent.some((s) => s.key === 'DELETE api/schedules/s1'));
});

test('the navigation marks the page shown with aria-current', async () => {
  const { doc, window } = await openDashboard({ hash: '#schedules' });
  const current = () => [...doc.querySelectorAll('nav a')].map((a) => `${a.dataset.page}=${a.getAttribute('aria-current')}`);
  assert.deepEqual(current(), ['queues=null', 'tasks=null', 'schedules=page', 'agents=null']);
  window.location.hash = '#task/t1';
  await until(() => doc.querySelector('#page-task').hidden === false);
  assert.deepEqual(current(), ['queues=null', 'tasks=true', 'schedules=null', 'agents=null'], 'Tasks, while one task is shown');
});

test('a refresh keeps keyboard focus on the same button, also when the row around it changes', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const changing = { ...answers };
  const { doc, sent } = await openDashboard({ answered: changing, timers: true, hash: '#tasks' });
  await until(() => doc.querySelectorAll('#tasks tbody tr').length === 2);
  const remove = [...doc.querySelectorAll('#tasks tbody tr')[0].querySelectorAll('button')].find((b) => b.textContent === 'Remove');
  remove.focus();
  assert.equal(doc.activeElement, remove);
  const [t1, t2] = changing['GET api/tasks?limit=100'][1];
  changing['GET api/tasks?limit=100'] = [200, [{ ...t1, message: 'changed meanwhile' }, t2,
    { id: 't3', name: 'later', handler: 'hello', queue: 'default', status: 'Waiting', attempts: 0, maxAttempts: 3 }]];
  const reads = () => sent.filter((s) => s.key === 'GET api/tasks?limit=100').length;
  const before = reads();
  t.mock.timers.tick(3000);
  await until(() => reads() > before && doc.querySelectorAll('#tasks tbody tr').length === 3);
  assert.equal(doc.querySelectorAll('#tasks tbody tr')[0].querySelectorAll('td')[10].textContent, 'changed meanwhile');
  assert.equal(remove.isConnected, true, 'the button was kept, not rebuilt');
  assert.equal(doc.activeElement, remove, 'focus stays where the keyboard user left it');

  // a row that leaves and a button whose label changes
  changing['GET api/tasks?limit=100'] = [200, [t2, { ...t1, message: 'again' }]];
  t.mock.timers.tick(3000);
  await until(() => doc.querySelectorAll('#tasks tbody tr').length === 2 && doc.querySelector('#tasks tbody tr').dataset.key === 't2');
  assert.equal(doc.activeElement, remove, 'kept when the rows before it move');

  // a button that goes (Retry, once the task waits again) hands focus to its row's next control
  const retry = [...remove.parentElement.querySelectorAll('button')].find((b) => b.textContent === 'Retry');
  retry.focus();
  changing['GET api/tasks?limit=100'] = [200, [t2, { ...t1, status: 'Waiting', attempts: 0 }]];
  t.mock.timers.tick(3000);
  await until(() => !retry.isConnected);
  assert.equal(doc.activeElement, remove, "focus went to the row's Remove, not to the top of the page");
});

test('the queue toggle keeps focus when Pause becomes Resume', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const changing = { ...answers };
  const { doc } = await openDashboard({ answered: changing, timers: true });
  const toggle = doc.querySelector('#queues tbody button');
  toggle.focus();
  changing['GET api/queues'] = [200, [{ ...answers['GET api/queues'][1][0], paused: true }]];
  t.mock.timers.tick(3000);
  await until(() => toggle.textContent === 'Resume');
  assert.equal(toggle.getAttribute('aria-label'), 'Resume: queue default');
  assert.equal(doc.activeElement, toggle);
});

test("a task's detail shows its error and, when the task carries one, its attempt history as a list of text", async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const history = [
    { attempt: 1, at: '2026-11-28T18:00:01.5Z', server: 'n1', exception: 'java.io.IOException', message: hostile,
      stackTrace: 'java.io.IOException: <b>x</b>\n\tat com.example.Mailer.send(Mailer.java:42)' },
    { attempt: 2, at: '2026-11-28T18:00:03Z', server: 'n2', exception: 'java.lang.IllegalStateException', message: 'boom',
      stackTrace: null },
  ];
  const failed = { id: 't9', name: 'mail', handler: 'hello', queue: 'default', status: 'Error', attempts: 2, failures: history, maxAttempts: 2,
    message: 'boom', parameters: {} };
  const changing = { ...answers, 'GET api/tasks/t9': [200, failed] };
  const { doc } = await openDashboard({ answered: changing, timers: true, hash: '#task/t9' });
  await until(() => doc.querySelectorAll('#task-attempts li').length === 2);
  assert.equal(doc.querySelector('#task-history').hidden, false);
  assert.equal(doc.querySelector('#task-error-title').textContent, 'Error');
  assert.equal(doc.querySelector('#task-message').textContent, 'boom');
  assert.equal(doc.querySelector('#task-detail [data-field="attempts"]').textContent, '2/2');
  const [first, second] = doc.querySelectorAll('#task-attempts li');
  assert.equal(first.querySelector('p.attempt').textContent, 'attempt 1 · 2026-11-28 18:00:01Z · server n1 · java.io.IOException');
  assert.equal(first.querySelector('pre.attempt-message').textContent, hostile);
  assert.equal(first.querySelector('details pre.stack').textContent, history[0].stackTrace);
  assert.equal(second.querySelector('p.attempt').textContent, 'attempt 2 · 2026-11-28 18:00:03Z · server n2 · java.lang.IllegalStateException');
  assert.equal(second.querySelector('details'), null, 'no stack trace, no fold');
  assert.equal(doc.querySelector('#page-task img, #page-task b'), null, 'everything from the store is text');

  const details = first.querySelector('details');
  details.open = true;
  changing['GET api/tasks/t9'] = [200, { ...failed, failures: [...history, { attempt: 3, at: '2026-11-28T18:00:09Z', server: 'n1',
    exception: 'java.lang.RuntimeException', message: 'third' }], attempts: 3, maxAttempts: 3 }];
  t.mock.timers.tick(3000);
  await until(() => doc.querySelectorAll('#task-attempts li').length === 3);
  assert.equal(doc.querySelector('#task-detail [data-field="attempts"]').textContent, '3/3');
  assert.equal(details.isConnected && details.open, true, 'an opened stack trace stays open across the refresh');

  changing['GET api/tasks/t9'] = [200, { ...failed, status: 'Completed', message: null, attempts: 1, failures: [] }];
  t.mock.timers.tick(3000);
  await until(() => doc.querySelector('#task-history').hidden);
  assert.equal(doc.querySelector('#task-error').hidden, true, 'no message, no error block');
});

test('Cancel asks first, names the task, and says whether the task ended Cancelled or is being interrupted', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const waiting = { id: 't4', name: 'invoice', handler: 'hello', queue: 'default', status: 'Waiting', attempts: 0, maxAttempts: 3 };
  const changing = {
    ...answers,
    'GET api/tasks?limit=100': [200, [...answers['GET api/tasks?limit=100'][1], waiting]],
    'GET api/tasks/count': [200, { count: 3, cap: 10000, capped: false }],
    'POST api/tasks/t4/cancel': [200, { ...waiting, status: 'Cancelled', message: 'cancelled by admin' }],
    'POST api/tasks/t2/cancel': [202, { id: 't2', status: 'InProgress' }],
  };
  const { doc, window, sent } = await openDashboard({ answered: changing, timers: true, hash: '#tasks' });
  await until(() => doc.querySelectorAll('#tasks tbody tr').length === 3);
  const button = (id, label) => [...doc.querySelectorAll(`#tasks tbody tr[data-key="${id}"] button`)].find((b) => b.textContent === label);
  const cancel = button('t4', 'Cancel');
  assert.deepEqual([...cancel.parentElement.querySelectorAll('button')].map((b) => b.textContent), ['Cancel', 'Remove']);
  assert.equal(cancel.getAttribute('aria-label'), 'Cancel: task invoice (t4)');

  // the 3 s refresh keeps the focused Cancel button
  cancel.focus();
  t.mock.timers.tick(3000);
  await until(() => sent.filter((s) => s.key === 'GET api/tasks?limit=100').length >= 2);
  assert.equal(cancel.isConnected && doc.activeElement, cancel, 'focus stays on Cancel');

  let asked = confirming(window, false);
  cancel.click();
  await until(() => doc.querySelector('#message').textContent === 'Cancel t4: not sent, the task goes on');
  assert.deepEqual(asked, ['Cancel task invoice (t4)? It never runs and ends Cancelled.']);
  assert.equal(sent.filter((s) => s.key === 'POST api/tasks/t4/cancel').length, 0, 'a dismissed Cancel sends nothing');

  asked = confirming(window, true);
  changing['GET api/tasks?limit=100'] = [200, [...answers['GET api/tasks?limit=100'][1], { ...waiting, status: 'Cancelled' }]];
  cancel.click();
  await until(() => doc.querySelector('#message').textContent === 'Cancel t4: done, it never runs');
  await until(() => doc.querySelector('#tasks tbody tr[data-key="t4"] td.status').dataset.status === 'Cancelled');
  assert.deepEqual([...doc.querySelectorAll('#tasks tbody tr[data-key="t4"] button')].map((b) => b.textContent), ['Remove'],
    'a Cancelled task can only be removed');

  button('t2', 'Cancel').click();
  await until(() => sent.some((s) => s.key === 'POST api/tasks/t2/cancel'));
  assert.equal(asked.at(-1), 'Cancel task report (t2)? It is interrupted where it runs and ends Cancelled.');
  await until(() => /^Cancel t2: under way/.test(doc.querySelector('#message').textContent));
});

test("a task's detail shows its author, time-out and unique key, and a Cancelled task says who cancelled it", async () => {
  const cancelled = { id: 't5', name: 'invoice', handler: 'hello', queue: 'default', status: 'Cancelled', attempts: 0, maxAttempts: 3,
    author: 'ops', timeout: 'PT30S', uniqueKey: 'invoice-42', message: 'cancelled by admin', parameters: {}, failures: [] };
  const { doc } = await openDashboard({ answered: { ...answers, 'GET api/tasks/t5': [200, cancelled] }, hash: '#task/t5' });
  await until(() => doc.querySelector('#task-detail [data-field="status"]'));
  const field = (name) => doc.querySelector(`#task-detail [data-field="${name}"]`)?.textContent;
  assert.deepEqual(['author', 'time-out', 'unique key', 'status'].map(field), ['ops', 'PT30S', 'invoice-42', 'Cancelled']);
  assert.equal(doc.querySelector('#task-detail [data-field="status"]').dataset.status, 'Cancelled');
  assert.deepEqual([doc.querySelector('#task-error-title').textContent, doc.querySelector('#task-message').textContent],
    ['Cancelled', 'cancelled by admin']);
  assert.equal(doc.querySelector('#task-history').hidden, true);
  assert.deepEqual([...doc.querySelectorAll('#task-actions button')].map((b) => b.textContent), ['Remove']);
});

test('the queues page names the handlers that waiting tasks need and no server offers', async () => {
  const queues = [{ ...answers['GET api/queues'][1][0], counts: { Waiting: 143, Cancelled: 2 }, unservedHandlers: { 'acc-count': 142, [hostile]: 1 } }];
  const { doc } = await openDashboard({ answered: { ...answers, 'GET api/queues': [200, queues] } });
  await until(() => !doc.querySelector('#unserved').hidden);
  assert.deepEqual([...doc.querySelectorAll('#unserved li')].map((li) => li.textContent), [
    "queue default: 142 tasks wait for handler 'acc-count', which no server of this queue offers",
    `queue default: 1 task waits for handler '${hostile}', which no server of this queue offers`]);
  assert.equal(doc.querySelector('img'), null, 'a handler name is text');
  assert.equal(texts(doc.querySelector('#queues tbody tr'))[5], '2', 'Cancelled is counted');
});

test('the push form sends a unique key and a time-out, and says whether the push created a task', async () => {
  const existing = { id: 't1', queue: 'default', status: 'InProgress', uniqueKey: 'invoice-42' };
  const changing = { ...answers, 'POST api/tasks': [200, existing, { 'Kafru-Created': 'false' }] };
  const { doc, window, sent } = await openDashboard({ answered: changing });
  const form = doc.querySelector('#enqueue');
  form.elements.namedItem('uniqueKey').value = 'invoice-42';
  form.elements.namedItem('timeout').value = '0';
  form.dispatchEvent(new window.Event('submit', { cancelable: true }));
  assert.match(doc.querySelector('#message').textContent, /^time-out: give whole seconds/);
  form.elements.namedItem('timeout').value = '30';
  form.dispatchEvent(new window.Event('submit', { cancelable: true }));
  await until(() => /^enqueue: nothing new stored/.test(doc.querySelector('#message').textContent));
  assert.deepEqual(sent.find((s) => s.key === 'POST api/tasks').body, { handler: 'hello', uniqueKey: 'invoice-42', timeout: 'PT30S' });
  assert.equal(doc.querySelector('#message').textContent, "enqueue: nothing new stored, task t1 (InProgress) holds unique key 'invoice-42'");

  changing['POST api/tasks'] = [201, { id: 't3', queue: 'default', status: 'Waiting', uniqueKey: 'invoice-43' }, { 'Kafru-Created': 'true' }];
  form.elements.namedItem('uniqueKey').value = 'invoice-43';
  form.dispatchEvent(new window.Event('submit', { cancelable: true }));
  await until(() => doc.querySelector('#message').textContent === 'enqueue: task t3 created in queue default');
});
