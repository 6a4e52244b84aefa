// The dashboard page (index.html + app.mjs) in jsdom, against a recorded admin API: what it shows,
// that outside text stays text, and which requests its buttons and form send.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { JSDOM } from 'jsdom';

const page = new URL('../../main/webapp/kafru/', import.meta.url);
const hostile = '<img src=x onerror="globalThis.owned = true">';

const answers = {
  'GET api/handlers': [200, ['hello', 'report']],
  'GET api/queues': [200, [{ queue: 'default', counts: { Waiting: 1, InProgress: 1, Completed: 7, Error: 1 }, threads: 5,
    running: 1, paused: false, servers: ['n1'] }]],
  'GET api/tasks?limit=100': [200, [
    { id: 't1', name: 'hello', handler: 'hello', queue: 'default', status: 'Error', attempts: 3, maxAttempts: 3,
      runAt: '2026-11-28T18:00:00.123Z', message: hostile },
    { id: 't2', name: 'report', handler: 'report', queue: 'default', status: 'InProgress', attempts: 1, maxAttempts: 3,
      runAt: '2026-11-28T18:00:01Z', message: null }]],
  'GET api/schedules?limit=200': [200, [{ id: 's1', name: 'nightly', handler: 'report', queue: 'default',
    cronExpression: '0 0 2 * * ?', timeZone: 'Europe/Berlin', status: 'Enabled', nextSchedule: '2026-11-29T01:00:00Z' }]],
  'GET api/agents': [200, [{ id: 'a1', kind: 'Queue', name: 'default', server: 'n1', status: 'Running',
    heartbeat: '2026-11-28T18:00:00Z', command: null }]],
  'POST api/tasks/t1/retry': [200, { id: 't1', status: 'Waiting' }],
  'POST api/tasks': [201, { id: 't3', status: 'Waiting' }],
  'POST api/queues/default/pause': [403, { type: 'urn:kafru:problem:forbidden', title: 'Forbidden', status: 403,
    detail: "user 'viewer' may not change anything here: that needs role kafru-admin" }],
};

// timers: leave setInterval as it is (a test's fake timers); otherwise the page's refresh never runs
async function openDashboard({ answered = answers, timers = false } = {}) {
  const html = await readFile(new URL('index.html', page), 'utf8');
  const dom = new JSDOM(html, { url: 'http://localhost:8080/kafru/' });
  const sent = [];
  globalThis.document = dom.window.document;
  globalThis.Option = dom.window.Option;
  if (!timers) globalThis.setInterval = () => 0;
  globalThis.fetch = async (url, init) => {
    const key = `${init.method} ${url}`;
    sent.push({ key, body: init.body === undefined ? undefined : JSON.parse(init.body), type: init.headers['Content-Type'] });
    const [status, body] = answered[key] || [404, { title: 'Not Found', status: 404, detail: `no ${key} here` }];
    return { ok: status < 400, status, text: async () => JSON.stringify(body) };
  };
  await import(new URL(`app.mjs?${Math.random()}`, page));
  const doc = dom.window.document;
  await until(() => doc.querySelectorAll('#tasks tbody tr').length === 2 && doc.querySelector('#updated').textContent);
  return { doc, window: dom.window, sent };
}

async function until(condition) {
  const deadline = Date.now() + 3000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within 3 s: ${condition}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const texts = (row) => [...row.querySelectorAll('td')].map((td) => td.textContent);

test('the page shows queues, tasks, schedules and agents, and outside text stays text', async () => {
  const { doc } = await openDashboard();
  assert.deepEqual([...doc.querySelectorAll('#handler option')].map((o) => o.value), ['hello', 'report']);
  assert.deepEqual(texts(doc.querySelector('#queues tbody tr')), ['default', '1', '1', '7', '1', '1/5', 'running', 'n1', 'Pause']);
  const [failed, running] = doc.querySelectorAll('#tasks tbody tr');
  const message = failed.querySelectorAll('td')[7];
  assert.equal(message.children.length, 0, `a task message is never HTML: ${message.innerHTML}`);
  assert.equal(message.innerHTML, '&lt;img src=x onerror="globalThis.owned = true"&gt;', 'the markup is shown escaped, as text');
  assert.equal(texts(failed)[7], hostile);
  assert.equal(doc.querySelector('img'), null, 'a task message is never HTML');
  assert.equal(texts(failed)[6], '2026-11-28 18:00:00Z');
  assert.deepEqual([...failed.querySelectorAll('button')].map((b) => b.textContent), ['Retry', 'Remove']);
  assert.deepEqual([...running.querySelectorAll('button')].map((b) => b.textContent), ['Terminate']);
  assert.equal(texts(doc.querySelector('#schedules tbody tr'))[3], '0 0 2 * * ?');
  assert.deepEqual([...doc.querySelectorAll('#agents button')].map((b) => b.textContent),
    ['QueueGracefulShutdown', 'QueueForceShutdown']);
});

test('buttons and the form send the admin API requests, and refusals are shown', async () => {
  const { doc, window, sent } = await openDashboard();
  doc.querySelector('#tasks tbody tr button').click();
  await until(() => sent.some((s) => s.key === 'POST api/tasks/t1/retry') && /done/.test(doc.querySelector('#message').textContent));

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
});

test('the page refreshes every 3 s with one read of each list, and shows what changed', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const changing = { ...answers };
  const { doc, sent } = await openDashboard({ answered: changing, timers: true });
  const reads = ['GET api/queues', 'GET api/tasks?limit=100', 'GET api/schedules?limit=200', 'GET api/agents'];
  const count = (key) => sent.filter((s) => s.key === key).length;
  assert.deepEqual(reads.map(count), [1, 1, 1, 1], 'loaded once');
  assert.equal(count('GET api/handlers'), 1);

  changing['GET api/queues'] = [200, [{ queue: 'default', counts: { Waiting: 4, InProgress: 0, Completed: 9, Error: 1 },
    threads: 5, running: 0, paused: true, servers: ['n1'] }]];
  t.mock.timers.tick(2999);
  // a refresh sends its reads at once (fetch is called before its first await): none may have gone out
  assert.deepEqual(reads.map(count), [1, 1, 1, 1], 'nothing is read again before 3 s');

  t.mock.timers.tick(1);
  await until(() => reads.every((key) => count(key) === 2));
  await until(() => texts(doc.querySelector('#queues tbody tr'))[1] === '4');
  assert.deepEqual(texts(doc.querySelector('#queues tbody tr')), ['default', '4', '0', '9', '1', '0/5', 'paused', 'n1', 'Resume']);
  assert.equal(count('GET api/handlers'), 1, 'the handlers are read once, at start');

  t.mock.timers.tick(3000);
  await until(() => reads.every((key) => count(key) === 3));
  assert.equal(sent.filter((s) => !s.key.startsWith('GET ')).length, 0, 'a refresh only reads');
});
