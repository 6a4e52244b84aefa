// The dashboard in a real browser: Debian's Chromium (/usr/bin/chromium, headless), driven by
// playwright-core (from package-lock.json; it never downloads a browser), against a running
// kafru.war with the real SurrealDB engine. DashboardBrowserIT starts Payara Micro and runs:
//
//   node src/test/js/browser/scenarios.mjs BASE_URL ADMIN PASSWORD VIEWER VIEWER_PASSWORD [SCREENSHOT_DIR]
//
// It prints "ok - <scenario>" per scenario and exits 0, or prints "not ok - <scenario>: <why>" and
// exits 1. Any console error or uncaught exception of the page fails the run. The deployment
// must have the handlers hello, it-fail-once (fails its first run of a task, then succeeds), it-fail
// (always throws IllegalStateException "boom") and it-block (runs until interrupted), and the
// queues default and second. Another application on the same database has pushed a task named
// unserved, whose handler nobody-has-this no server of queue default offers (DashboardBrowserIT does).
import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';

const [base, admin, adminPassword, viewer, viewerPassword, shots = 'target/screenshots'] = process.argv.slice(2);
if (!viewerPassword) {
  console.error('usage: scenarios.mjs BASE_URL ADMIN PASSWORD VIEWER VIEWER_PASSWORD [SCREENSHOT_DIR]');
  process.exit(2);
}
const CHROMIUM = process.env.KAFRU_CHROMIUM || '/usr/bin/chromium';
const dashboard = new URL('kafru/', base).href;
const WAIT = 30_000;
const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The admin API from Node, for the data the scenarios start from (not what they test). */
async function api(method, path, body) {
  const response = await fetch(new URL(`kafru/api${path}`, base), {
    method,
    headers: { Authorization: basic(admin, adminPassword), 'X-Requested-By': 'kafru-browser-test',
      ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

async function until(what, condition) {
  const deadline = Date.now() + WAIT;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not within ${WAIT / 1000} s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const consoleErrors = [];
const dialogs = [];
let allowed400 = false;
/** How the next confirmation is answered: 'accept' or 'dismiss'. */
let dialogAnswer = 'accept';

async function open(browser, user, password, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, extraHTTPHeaders: { Authorization: basic(user, password) } });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // the cron check answers 400 for an invalid cron, and Chromium logs every 4xx load
    if (allowed400 && /status of 400/.test(m.text())) return;
    consoleErrors.push(`${user}: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${user}: uncaught ${e.message}`));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    return dialogAnswer === 'accept' ? d.accept() : d.dismiss();
  });
  await page.goto(dashboard);
  await page.waitForFunction(() => document.querySelector('#updated').textContent.startsWith('updated'), null, { timeout: WAIT });
  return { context, page };
}

const go = async (page, hash, shown) => {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForSelector(`#page-${shown}:not([hidden])`, { timeout: WAIT });
};
const text = (page, selector) => page.locator(selector).first().textContent();
/** Waits until the page has refreshed twice (its "updated" time changed twice). */
async function twoRefreshes(page) {
  const seen = new Set([await text(page, '#updated')]);
  await until('two refreshes', async () => seen.add(await text(page, '#updated')).size >= 3);
}
const FUTURE = '2099-01-01T00:00:00Z';

/** Clicks a button whose confirmation is dismissed, then the same one accepted; returns the two questions asked. */
async function dismissThenAccept(button, afterDismiss) {
  const asked = dialogs.length;
  dialogAnswer = 'dismiss';
  try {
    await button.click();
    await until('the question is asked', async () => dialogs.length > asked);
  } finally {
    dialogAnswer = 'accept';
  }
  await afterDismiss();
  await button.click();
  await until('the question is asked again', async () => dialogs.length > asked + 1);
  return dialogs.slice(asked, asked + 2);
}

async function status(path) {
  const response = await fetch(new URL(`kafru/api${path}`, base), { headers: { Authorization: basic(admin, adminPassword) } });
  return response.status;
}
const rowOf = (page, table, first) => page.locator(`${table} tbody tr`).filter({ has: page.locator(`td:first-child:text-is("${first}")`) });

const scenarios = [];
const scenario = (name, run) => scenarios.push([name, run]);

scenario('signs in with Basic credentials and shows the cluster health', async ({ page }) => {
  check((await text(page, '#user')) === admin, `user shown: ${await text(page, '#user')}`);
  await until('the header says SurrealDB is up and one server is alive', async () => /SurrealDB up/.test(await text(page, '#health-db'))
    && /^1\/1 server alive/.test(await text(page, '#health-servers')));
  const anonymous = await fetch(new URL('kafru/api/queues', base));
  check(anonymous.status === 401, `without credentials the API answers ${anonymous.status}`);
});

scenario('enqueues through the form and watches the task reach Completed', async ({ page }) => {
  await go(page, '#queues', 'queues');
  await page.selectOption('#handler', 'hello');
  await page.fill('#enqueue input[name=name]', 'browser-enqueued');
  await page.fill('#enqueue textarea[name=parameters]', '{"name": "Chromium"}');
  await page.click('#enqueue button[type=submit]');
  await until('the enqueue is confirmed', async () => /^enqueue: task \S+ created in queue default$/.test(await text(page, '#message')));
  await go(page, '#tasks', 'tasks');
  await page.fill('#task-name', 'browser-enqueued');
  await page.click('#task-filters button[type=submit]');
  await until('the task shows Completed without a reload', async () => {
    const cells = await page.locator('#tasks tbody tr td').allTextContents();
    return cells[1] === 'browser-enqueued' && cells[4] === 'Completed';
  });
  await page.fill('#task-author', admin);
  await page.click('#task-filters button[type=submit]');
  await until("the admin's task is found by its author", async () => (await text(page, '#page-text')) === '1–1 of 1'
    && (await page.locator('#tasks tbody tr td').allTextContents())[8] === admin);
  await page.fill('#task-author', 'nobody');
  await page.click('#task-filters button[type=submit]');
  await until('nobody else pushed it', async () => (await text(page, '#page-text')) === 'none of 0');
  await page.fill('#task-author', '');
  await page.fill('#task-name', '');
  const labelled = await api('POST', '/tasks', { handler: 'hello', name: 'browser-labelled', labels: ['browser-7', 'import'] });
  await api('POST', '/tasks', { handler: 'hello', name: 'browser-unlabelled' });
  await page.fill('#task-label', 'browser-7');
  await page.click('#task-filters button[type=submit]');
  await until('the label filter finds the labelled task only, and shows its labels', async () => {
    const cells = await page.locator('#tasks tbody tr td').allTextContents();
    return (await text(page, '#page-text')) === '1–1 of 1' && cells[1] === 'browser-labelled' && cells[9] === 'browser-7, import';
  });
  await go(page, `#task/${encodeURIComponent(labelled.id)}`, 'task');
  await until('the detail shows its labels', async () => (await page.locator('#task-detail [data-field="labels"]').count()) === 1
    && (await page.locator('#task-detail [data-field="labels"]').textContent()) === 'browser-7, import');
  await go(page, '#tasks', 'tasks');
  await page.fill('#task-label', '');
  await page.click('#task-filters button[type=submit]');
});

scenario('pages through 250 tasks with a total', async ({ page }) => {
  const pushes = Array.from({ length: 250 }, (_, i) => ({ handler: 'hello', name: 'page-me', parameters: { i } }));
  for (let i = 0; i < pushes.length; i += 25) await Promise.all(pushes.slice(i, i + 25).map((b) => api('POST', '/tasks', b)));
  await go(page, '#tasks', 'tasks');
  await page.fill('#task-name', 'page-me');
  await page.click('#task-filters button[type=submit]');
  await until('page 1', async () => (await text(page, '#page-text')) === '1–100 of 250');
  check(await page.locator('#tasks tbody tr').count() === 100, 'page 1 has 100 rows');
  await page.click('#page-next');
  await until('page 2', async () => (await text(page, '#page-text')) === '101–200 of 250');
  await page.click('#page-next');
  await until('page 3', async () => (await text(page, '#page-text')) === '201–250 of 250');
  check(await page.locator('#tasks tbody tr').count() === 50, 'page 3 has 50 rows');
  check(await page.locator('#page-next').isDisabled(), 'no page after the last');
  const params = await Promise.all([0, 49].map((i) => page.locator('#tasks tbody tr').nth(i).locator('td').first().textContent()));
  check(new Set(params).size === 2, 'rows differ');
  await page.click('#page-previous');
  await until('back to page 2', async () => (await text(page, '#page-text')) === '101–200 of 250');
});

scenario("opens a task's detail with parameters, attempts, message, owner and times", async ({ page }) => {
  await go(page, '#tasks', 'tasks');
  await page.fill('#task-name', 'browser-enqueued');
  await page.click('#task-filters button[type=submit]');
  await until('the task is listed', async () => (await page.locator('#tasks tbody tr').count()) === 1);
  const id = (await page.locator('#tasks tbody tr td').first().textContent()).trim();
  await page.locator('#tasks tbody tr td a').first().click();
  await page.waitForSelector('#page-task:not([hidden])', { timeout: WAIT });
  const field = (name) => page.locator(`#task-detail [data-field="${name}"]`).textContent();
  // the page may still show the task an earlier scenario opened: wait for this one's
  await until('the detail is filled', async () => (await page.locator('#task-detail [data-field=id]').count()) === 1
    && (await field('id')) === id);
  check(JSON.parse(await field('parameters')).name === 'Chromium', `parameters: ${await field('parameters')}`);
  check((await field('attempts')) === '1/3', `attempts: ${await field('attempts')}`);
  check((await field('status')) === 'Completed', `status: ${await field('status')}`);
  check((await field('author')) === admin, `author: ${await field('author')}`);
  check(/\/default$/.test(await field('owner')), `owner: ${await field('owner')}`);
  check(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/.test(await field('finished')), `finished: ${await field('finished')}`);
});

scenario("shows a batch member's batch as a bar and a parent's chained tasks with links", async ({ page }) => {
  const batch = await api('POST', '/batches', {
    members: [{ handler: 'it-fail-once', name: 'member-a', maxAttempts: 2, then: [{ handler: 'it-fail-once', name: 'member-next' }] },
      { handler: 'it-fail', name: 'member-b', maxAttempts: 1 }],
    onComplete: { handler: 'it-fail-once', name: 'batch-report' },
  });
  await until('the batch ended', async () => (await api('GET', `/batches/${batch.id}`)).finishedAt !== null);
  const member = `${batch.id}_0`;
  await go(page, `#task/${encodeURIComponent(member)}`, 'task');
  await until('the batch is shown', async () => !(await page.locator('#task-batch').isHidden())
    && (await text(page, '#task-batch-text')).startsWith('2/2 ended, 1 completed, 1 failed'));
  check(Number(await page.locator('#task-batch-bar').getAttribute('value')) === 1, 'the bar is full');
  await until('its members are listed', async () => (await page.locator('#task-batch-members li').count()) === 2);
  check(/member-b\s+Error/.test(await page.locator('#task-batch-members li').nth(1).textContent()),
    `member: ${await page.locator('#task-batch-members li').nth(1).textContent()}`);
  await until('the chained task is listed', async () => (await page.locator('#task-child-list li a').count()) === 1);
  check(/it-fail-once \(default\) when this completes: pushed/.test(await text(page, '#task-child-list li')),
    `child: ${await text(page, '#task-child-list li')}`);
  await page.locator('#task-child-list li a').first().click();
  await until('the child is shown', async () => (await text(page, '#task-id')) !== member
    && (await page.locator('#task-detail [data-field=parent] a').count()) === 1);
  check((await text(page, '#task-detail [data-field=parent] a')) === member, 'the child links back to its parent');
  await page.locator('#task-detail [data-field=parent] a').click();
  await until('back at the member', async () => (await text(page, '#task-id')) === member);
});

scenario('retries a failed task, which then completes', async ({ page }) => {
  const task = await api('POST', '/tasks', { handler: 'it-fail-once', name: 'fails-once', maxAttempts: 1 });
  await until('the task failed', async () => (await api('GET', `/tasks/${task.id}`)).status === 'Error');
  await go(page, `#task/${encodeURIComponent(task.id)}`, 'task');
  const field = (name) => page.locator(`#task-detail [data-field="${name}"]`).textContent();
  await until('the detail shows the failure', async () => (await page.locator('#task-detail [data-field=status]').count()) === 1
    && (await field('status')) === 'Error');
  check(/failing once/.test(await text(page, '#task-message')), `message: ${await text(page, '#task-message')}`);
  check((await text(page, '#task-error-title')) === 'Error', 'the error is shown as such');
  await page.click('#task-actions button:text-is("Retry")');
  await until('the retried task completes', async () => (await field('status')) === 'Completed');
});

scenario('creates a schedule: an invalid cron is named, a valid one previews 5 times in its zone', async ({ page }) => {
  await go(page, '#schedules', 'schedules');
  await page.fill('#schedule-form input[name=name]', 'browser-nightly');
  await page.selectOption('#schedule-handler', 'hello');
  await page.fill('#schedule-zone', 'Europe/Berlin');
  allowed400 = true;
  await page.fill('#schedule-cron', '0 61 * * * ?');
  await until('the cron problem is shown', async () => /Value 61 not in range \[0, 59\]/.test(await text(page, '#cron-problem')));
  check(await page.locator('#cron-next li').count() === 0, 'no times for an invalid cron');
  await page.fill('#schedule-cron', '0 0 2 * * ?');
  await until('five times are previewed', async () => (await page.locator('#cron-next li').count()) === 5);
  allowed400 = false;
  const times = await page.locator('#cron-next li').allTextContents();
  check(times.every((t) => / 02:00:00 Europe\/Berlin \(/.test(t)), `times: ${times.join(' | ')}`);
  await page.click('#schedule-save');
  await until('the schedule is listed', async () => (await rowOf(page, '#schedules', 'browser-nightly').count()) === 1);
  const row = rowOf(page, '#schedules', 'browser-nightly');
  check((await row.locator('td').nth(3).textContent()) === '0 0 2 * * ?', 'cron shown');
  // edit it, then disable and enable it
  await row.locator('button:text-is("Edit")').click();
  await page.fill('#schedule-cron', '0 30 3 * * ?');
  await until('the edited cron previews', async () => /03:30:00 Europe\/Berlin/.test((await page.locator('#cron-next li').allTextContents()).join()));
  await page.click('#schedule-save');
  await until('the edit is saved', async () => (await rowOf(page, '#schedules', 'browser-nightly').locator('td').nth(3).textContent()) === '0 30 3 * * ?');
  await rowOf(page, '#schedules', 'browser-nightly').locator('button:text-is("Disable")').click();
  await until('disabled', async () => (await rowOf(page, '#schedules', 'browser-nightly').locator('td').nth(5).textContent()) === 'Disabled');
  await rowOf(page, '#schedules', 'browser-nightly').locator('button:text-is("Enable")').click();
  await until('enabled', async () => (await rowOf(page, '#schedules', 'browser-nightly').locator('td').nth(5).textContent()) === 'Enabled');
});

scenario('pauses and resumes a queue', async ({ page }) => {
  await go(page, '#queues', 'queues');
  const state = () => rowOf(page, '#queues', 'default').locator('td.status').textContent();
  const paused = async () => (await api('GET', '/queues')).find((q) => q.queue === 'default').paused;
  await until('the queue runs', async () => (await state()) === 'running');
  const pause = rowOf(page, '#queues', 'default').locator('button:text-is("Pause")');
  check((await pause.getAttribute('aria-label')) === 'Pause: queue default', `named ${await pause.getAttribute('aria-label')}`);
  await pause.click();
  await until('paused', async () => (await state()) === 'paused');
  check(await paused(), 'the store says queue default is paused');
  await rowOf(page, '#queues', 'default').locator('button:text-is("Resume")').click();
  await until('running again', async () => (await state()) === 'running');
  check(!(await paused()), 'the store says queue default runs');
});

// A page on another origin (a server of this script's on 127.0.0.1, while the dashboard is on
// localhost), opened in a browser that sends the operator's admin credentials with every request
// as a browser with cached Basic credentials does: its form post and its scripts' requests to
// pause a queue are refused, and the queue runs on. The dashboard's own Pause works (above).
scenario("a page on another site cannot write with the operator's credentials", async ({ browser }) => {
  const target = new URL('kafru/api/queues/default/pause', base).href;
  const hostile = createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html' });
    response.end(`<!doctype html><title>a hostile page</title>
<form method="post" action="${target}" enctype="application/x-www-form-urlencoded"><input name="queue" value="default"></form>
<script>
  window.attempts = Promise.allSettled([
    fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', credentials: 'include', body: 'queue=default' }),
    fetch(${JSON.stringify(target)}, { method: 'POST', credentials: 'include', headers: { 'X-Requested-By': 'kafru' } }),
  ]).then((all) => all.map((a) => a.status));
</script>`);
  });
  await new Promise((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  const context = await browser.newContext({ extraHTTPHeaders: { Authorization: basic(admin, adminPassword) } });
  try {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${hostile.address().port}/`);
    const fetched = await page.evaluate(() => window.attempts);
    check(fetched[1] === 'rejected', `a cross-site script's request with the header got through CORS: ${fetched}`);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url() === target && r.request().method() === 'POST', { timeout: WAIT }),
      page.evaluate(() => document.forms[0].submit()),
    ]);
    const refusal = await answer.text();
    check(answer.status() === 403 && /X-Requested-By/.test(refusal), `the form post was answered ${answer.status()}: ${refusal}`);
    const queues = await api('GET', '/queues');
    check(queues.find((q) => q.queue === 'default').paused === false, 'the hostile page paused queue default');
  } finally {
    await context.close();
    hostile.close();
  }
});

scenario('purges after a confirmation that names the count', async ({ page }) => {
  const ids = await Promise.all([1, 2, 3].map(() => api('POST', '/tasks', { handler: 'hello', queue: 'second', name: 'purge-me' })));
  await until('the three completed', async () => (await api('GET', '/tasks/count?queue=second&status=Completed')).count === 3);
  await go(page, '#queues', 'queues');
  await until('the queue filter knows queue second', async () => (await page.locator('#task-queue option[value=second]').count()) === 1);
  await go(page, '#tasks', 'tasks');
  await page.fill('#task-name', '');
  await page.fill('#task-handler', '');
  await page.selectOption('#task-status', 'Completed');
  await page.selectOption('#task-queue', 'second');
  await until('the three are listed', async () => (await text(page, '#page-text')) === '1–3 of 3');
  const asked = await dismissThenAccept(page.locator('#purge'), async () => {
    await until('the cancel is shown', async () => (await text(page, '#message')) === 'purge: cancelled');
    check((await api('GET', '/tasks/count?queue=second&status=Completed&name=purge-me')).count === 3, 'a cancelled purge removed tasks');
  });
  await until('they are gone', async () => (await text(page, '#page-text')) === 'none of 0');
  check(asked[0] === 'Remove 3 Completed tasks of queue second?', `asked: ${asked[0]}`);
  for (const t of ids) {
    const gone = await fetch(new URL(`kafru/api/tasks/${t.id}`, base), { headers: { Authorization: basic(admin, adminPassword) } });
    check(gone.status === 404, `task ${t.id} is still there`);
  }
  await page.selectOption('#task-status', '');
  await page.selectOption('#task-queue', '');
});

scenario('removes a task only once the confirmation is accepted', async ({ page }) => {
  const task = await api('POST', '/tasks', { handler: 'hello', name: 'remove-me', runAt: FUTURE });
  await go(page, '#tasks', 'tasks');
  await page.fill('#task-name', 'remove-me');
  await page.click('#task-filters button[type=submit]');
  const remove = page.locator(`#tasks tbody tr[data-key="${task.id}"] button:text-is("Remove")`);
  await remove.waitFor({ timeout: WAIT });
  check((await remove.getAttribute('aria-label')) === `Remove: task remove-me (${task.id})`, `named ${await remove.getAttribute('aria-label')}`);
  const asked = await dismissThenAccept(remove, async () => {
    await until('the cancel is shown', async () => (await text(page, '#message')) === `Remove ${task.id}: cancelled`);
    check((await status(`/tasks/${task.id}`)) === 200, 'a cancelled Remove removed the task');
  });
  check(asked[0] === `Remove task remove-me (${task.id}), Waiting? It cannot be brought back.`, `asked: ${asked[0]}`);
  await until('the task is gone from the store', async () => (await status(`/tasks/${task.id}`)) === 404);
  await until('and from the page', async () => (await page.locator('#tasks tbody tr').count()) === 0);
});

scenario('terminates a running task once the confirmation is accepted, after its progress bar showed', async ({ page }) => {
  const task = await api('POST', '/tasks', { handler: 'it-block', name: 'terminate-me', parameters: { progress: 40 } });
  await until('the task runs and its progress is stored', async () => {
    const t = await api('GET', `/tasks/${task.id}`);
    return t.status === 'InProgress' && t.progress?.done === 40;
  });
  await go(page, '#tasks', 'tasks');
  await page.fill('#task-name', 'terminate-me');
  await page.click('#task-filters button[type=submit]');
  const row = page.locator(`#tasks tbody tr[data-key="${task.id}"]`);
  await until('the list shows its bar', async () => (await row.locator('td.progress progress').count()) === 1);
  check(await row.locator('td.progress progress').getAttribute('value') === '40', 'the bar of the list is at 40');
  check((await row.locator('td.progress').textContent()).trim() === '40%', 'the list says 40%');
  await go(page, `#task/${encodeURIComponent(task.id)}`, 'task');
  const bar = page.locator('#task-detail [data-field="progress"] progress');
  await until('the detail shows its bar', async () => (await bar.count()) === 1);
  check(await bar.getAttribute('aria-label') === 'progress 40% (40 of 100): blocking', 'the bar is named with its numbers');
  check((await text(page, '#task-detail [data-field="progress"]')).trim() === '40% (40 of 100): blocking', 'the detail says how far');
  const terminate = page.locator('#task-actions button:text-is("Terminate")');
  await terminate.waitFor({ timeout: WAIT });
  check((await terminate.getAttribute('aria-label')) === `Terminate: task terminate-me (${task.id})`, 'named with the task');
  const asked = await dismissThenAccept(terminate, async () => {
    await until('the cancel is shown', async () => (await text(page, '#message')) === `Terminate ${task.id}: cancelled`);
    check((await api('GET', `/tasks/${task.id}`)).status === 'InProgress', 'a cancelled Terminate stopped the task');
  });
  check(/^Terminate task terminate-me \(.+\)\? It is interrupted where it runs and ends Error\.$/.test(asked[0]), `asked: ${asked[0]}`);
  await until('the store has it ended', async () => {
    const t = await api('GET', `/tasks/${task.id}`);
    return t.status === 'Error' && t.message === 'task has been terminated';
  });
  await until('the detail shows the error', async () => (await text(page, '#task-message')) === 'task has been terminated');
});

scenario('pushes a unique task twice through the form, then cancels it with the keyboard once the confirmation is accepted',
  async ({ page }) => {
    await go(page, '#queues', 'queues');
    await page.selectOption('#handler', 'hello');
    await page.fill('#enqueue input[name=name]', 'cancel-me');
    await page.fill('#enqueue input[name=uniqueKey]', 'browser-unique');
    await page.fill('#enqueue input[name=timeout]', '30');
    await page.fill('#enqueue input[name=runAt]', '2099-01-01T00:00');
    await page.fill('#enqueue textarea[name=parameters]', '');
    await page.click('#enqueue button[type=submit]');
    const created = await until('the push is confirmed as new', async () => /^enqueue: task (\S+) created in queue default$/
      .exec(await text(page, '#message')));
    const id = created[1];
    await page.click('#enqueue button[type=submit]');
    await until('the second push answers the task holding the key', async () => (await text(page, '#message'))
      === `enqueue: nothing new stored, task ${id} (Waiting) holds unique key 'browser-unique'`);
    check((await api('GET', '/tasks?name=cancel-me')).length === 1, 'the second push stored a task');
    const stored = await api('GET', `/tasks/${id}`);
    check(stored.uniqueKey === 'browser-unique' && stored.timeout === 'PT30S', `stored: ${stored.uniqueKey} ${stored.timeout}`);
    for (const name of ['name', 'uniqueKey', 'timeout', 'runAt']) await page.fill(`#enqueue input[name=${name}]`, '');

    await go(page, '#tasks', 'tasks');
    await page.fill('#task-name', 'cancel-me');
    await page.click('#task-filters button[type=submit]');
    const cancel = page.locator(`#tasks tbody tr[data-key="${id}"] button:text-is("Cancel")`);
    await cancel.waitFor({ timeout: WAIT });
    check((await cancel.getAttribute('aria-label')) === `Cancel: task cancel-me (${id})`, `named ${await cancel.getAttribute('aria-label')}`);
    // focused from the keyboard, it stays focused across two refreshes, and Enter acts on it
    await cancel.focus();
    await page.evaluate(() => { window.focusedBefore = document.activeElement; });
    await twoRefreshes(page);
    check(await page.evaluate(() => document.activeElement === window.focusedBefore && window.focusedBefore.isConnected),
      `focus moved to: ${await page.evaluate(() => document.activeElement?.outerHTML)}`);
    const asked = dialogs.length;
    dialogAnswer = 'dismiss';
    try {
      await page.keyboard.press('Enter');
      await until('the question is asked', async () => dialogs.length > asked);
    } finally {
      dialogAnswer = 'accept';
    }
    await until('the dismissal is shown', async () => (await text(page, '#message')) === `Cancel ${id}: not sent, the task goes on`);
    check((await api('GET', `/tasks/${id}`)).status === 'Waiting', 'a dismissed Cancel cancelled the task');
    check(dialogs[asked] === `Cancel task cancel-me (${id})? It never runs and ends Cancelled.`, `asked: ${dialogs[asked]}`);
    await page.keyboard.press('Enter');
    await until('the cancel is confirmed', async () => (await text(page, '#message')) === `Cancel ${id}: done, it never runs`);
    const after = await api('GET', `/tasks/${id}`);
    check(after.status === 'Cancelled' && after.message === `cancelled by ${admin}`, `the store has ${after.status}: ${after.message}`);
    await until('the row shows Cancelled, with only Remove left', async () => {
      const row = page.locator(`#tasks tbody tr[data-key="${id}"]`);
      return (await row.locator('td.status').textContent()) === 'Cancelled'
        && (await row.locator('button').allTextContents()).join() === 'Remove';
    });
    check(await page.evaluate((key) => document.activeElement?.dataset.focus === key, `tasks/${id}/Remove`),
      'focus went on to the row\'s Remove');
    await page.selectOption('#task-status', 'Cancelled');
    await until('the status filter finds it', async () => (await text(page, '#page-text')) === '1–1 of 1');
    await page.selectOption('#task-status', '');
    await go(page, `#task/${encodeURIComponent(id)}`, 'task');
    await until('the detail says who cancelled it', async () => (await text(page, '#task-error-title')) === 'Cancelled'
      && (await text(page, '#task-message')) === `cancelled by ${admin}`);
    const field = (name) => page.locator(`#task-detail [data-field="${name}"]`).textContent();
    check((await field('unique key')) === 'browser-unique' && (await field('time-out')) === 'PT30S', 'time-out and unique key shown');
    check((await field('author')) === admin, `author: ${await field('author')}`);
    await go(page, '#queues', 'queues');
    await until('queue default counts it Cancelled', async () => Number(await rowOf(page, '#queues', 'default').locator('td').nth(5)
      .textContent()) >= 1);
  });

scenario("shows the attempt history of a task whose handler failed, stack traces folded", async ({ page }) => {
  const task = await api('POST', '/tasks', { handler: 'it-fail', name: 'always-fails', maxAttempts: 2 });
  await until('the task failed twice', async () => (await api('GET', `/tasks/${task.id}`)).status === 'Error');
  await go(page, `#task/${encodeURIComponent(task.id)}`, 'task');
  await until('two failed attempts are listed', async () => (await page.locator('#task-attempts li').count()) === 2);
  const lines = await page.locator('#task-attempts p.attempt').allTextContents();
  lines.forEach((line, i) => check(new RegExp(`^attempt ${i + 1} · \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ · server \\S+ · `
    + 'java\\.lang\\.IllegalStateException$').test(line), `attempt line: ${line}`));
  const messages = await page.locator('#task-attempts pre.attempt-message').allTextContents();
  check(messages.join() === 'boom,boom', `messages: ${messages}`);
  const trace = page.locator('#task-attempts li').first().locator('details');
  check((await trace.getAttribute('open')) === null, 'a stack trace starts folded');
  check(!(await trace.locator('pre.stack').isVisible()), 'a folded stack trace is not shown');
  await trace.locator('summary').click();
  await until('the stack trace unfolds', async () => trace.locator('pre.stack').isVisible());
  check(/^java\.lang\.IllegalStateException: boom\n\s+at dev\.kafru\.it\.FailingTask\.run/.test(await trace.locator('pre.stack').textContent()),
    `stack: ${(await trace.locator('pre.stack').textContent()).slice(0, 200)}`);
  await twoRefreshes(page);
  check(await trace.getAttribute('open') !== null, 'the unfolded stack trace stays open across the refresh');
});

scenario('names a handler that waiting tasks need and no server of their queue offers', async ({ page }) => {
  const [task] = await api('GET', '/tasks?name=unserved');
  check(task?.handler === 'nobody-has-this', `no task named unserved with handler nobody-has-this: ${JSON.stringify(task)}`);
  await go(page, '#queues', 'queues');
  await until('the notice is shown (the server reports a task it set aside after 5 s)', async () => (await page.locator('#unserved li')
    .allTextContents()).includes("queue default: 1 task waits for handler 'nobody-has-this', which no server of this queue offers"));
  const stored = await api('GET', `/tasks/${task.id}`);
  check(stored.status === 'Waiting' && stored.attempts === 0, `the task ${stored.status} after ${stored.attempts} attempts: it waits, it does not fail`);
  // it stays, so that the screenshots show the notice and the phone layout is checked with it
});

scenario("retries every failed task of a queue after a confirmation with the count", async ({ page }) => {
  const tasks = await Promise.all([1, 2, 3].map(() => api('POST', '/tasks',
    { handler: 'it-fail-once', queue: 'second', name: 'retry-all', maxAttempts: 1 })));
  await until('the three failed', async () => (await api('GET', '/tasks/count?status=Error&queue=second&name=retry-all')).count === 3);
  const failed = (await api('GET', '/tasks/count?status=Error&queue=second')).count;
  await go(page, '#queues', 'queues');
  const retry = rowOf(page, '#queues', 'second').locator('button:text-is("Retry failed")');
  await retry.waitFor({ timeout: WAIT });
  check((await retry.getAttribute('aria-label')) === 'Retry failed: queue second', `named ${await retry.getAttribute('aria-label')}`);
  const asked = await dismissThenAccept(retry, async () => {
    await until('the cancel is shown', async () => /cancelled$/.test(await text(page, '#message')));
    check((await api('GET', '/tasks/count?status=Error&queue=second&name=retry-all')).count === 3, 'a cancelled retry retried');
  });
  check(asked[0] === `Retry ${failed} failed tasks of queue second? They go back to Waiting, due now, with fresh attempts.`,
    `asked: ${asked[0]}`);
  await until('the retry is confirmed', async () => (await text(page, '#message')) === `retried ${failed} failed tasks of queue second`);
  await until('the store has them completed on their second run', async () => {
    const all = await Promise.all(tasks.map((t) => api('GET', `/tasks/${t.id}`)));
    return all.every((t) => t.status === 'Completed' && t.attempts === 1);
  });
  await until('no failed task is left in queue second', async () => (await api('GET', '/tasks/count?status=Error&queue=second')).count === 0);
  await until('and the button is gone', async () => (await retry.count()) === 0);
});

scenario('runs a schedule now and removes it, each once the confirmation is accepted', async ({ page }) => {
  const schedule = await api('POST', '/schedules', { name: 'browser-run-now', handler: 'hello', queue: 'second',
    cron: '0 0 2 * * ?', startSchedule: FUTURE, parameters: { name: 'now' } });
  await go(page, '#schedules', 'schedules');
  const row = rowOf(page, '#schedules', 'browser-run-now');
  const run = row.locator('button:text-is("Run now")');
  await run.waitFor({ timeout: WAIT });
  check((await run.getAttribute('aria-label')) === 'Run now: schedule browser-run-now', `named ${await run.getAttribute('aria-label')}`);
  const pushed = async () => api('GET', '/tasks?name=browser-run-now');
  const asked = await dismissThenAccept(run, async () => {
    await until('the cancel is shown', async () => /cancelled$/.test(await text(page, '#message')));
    check((await pushed()).length === 0, 'a cancelled Run now pushed a task');
  });
  check(asked[0] === 'Run schedule browser-run-now now? It pushes one hello task into queue second. Its next run stays at'
    + ` ${schedule.nextSchedule.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}.`, `asked: ${asked[0]}`);
  await until('the run is confirmed', async () => /^run browser-run-now now: task \S+ pushed into queue second$/.test(await text(page, '#message')));
  await until('the store has the task, run', async () => {
    const tasks = await pushed();
    return tasks.length === 1 && tasks[0].status === 'Completed' && tasks[0].handler === 'hello' && tasks[0].parameters.name === 'now';
  });
  check((await api('GET', `/schedules/${schedule.id}`)).nextSchedule === schedule.nextSchedule, 'the next run moved');

  const questions = await dismissThenAccept(row.locator('button:text-is("Remove")'), async () => {
    await until('the cancel is shown', async () => /cancelled$/.test(await text(page, '#message')));
    check((await status(`/schedules/${schedule.id}`)) === 200, 'a cancelled Remove removed the schedule');
  });
  check(questions[0] === 'Remove schedule browser-run-now? The tasks it pushed stay.', `asked: ${questions[0]}`);
  await until('the schedule is gone from the store', async () => (await status(`/schedules/${schedule.id}`)) === 404);
  check((await pushed()).length === 1, 'its task stays');
});

scenario('keeps keyboard focus on a button across the 3 s refresh', async ({ page }) => {
  await go(page, '#queues', 'queues');
  const toggle = rowOf(page, '#queues', 'default').locator('button').first();
  await toggle.focus();
  await page.evaluate(() => { window.focusedBefore = document.activeElement; });
  check(await page.evaluate(() => window.focusedBefore.textContent === 'Pause'), 'the Pause button has focus');
  await twoRefreshes(page);
  check(await page.evaluate(() => document.activeElement === window.focusedBefore && window.focusedBefore.isConnected),
    `focus moved to: ${await page.evaluate(() => document.activeElement?.outerHTML)}`);
  // the keyboard goes on from there: Tab reaches the next control of the row
  await page.keyboard.press('Enter');
  await until('Enter paused the queue', async () => (await api('GET', '/queues')).find((q) => q.queue === 'default').paused);
  await until('the focused button now says Resume', async () => page.evaluate(() => document.activeElement === window.focusedBefore
    && document.activeElement.textContent === 'Resume'));
  await page.keyboard.press('Enter');
  await until('Enter resumed it', async () => !(await api('GET', '/queues')).find((q) => q.queue === 'default').paused);

  await go(page, '#tasks', 'tasks');
  await page.fill('#task-name', 'page-me');
  await page.click('#task-filters button[type=submit]');
  await until('page 1', async () => (await text(page, '#page-text')) === '1–100 of 250');
  const link = page.locator('#tasks tbody tr').nth(5).locator('td a');
  await link.focus();
  await page.evaluate(() => { window.focusedBefore = document.activeElement; });
  await twoRefreshes(page);
  check(await page.evaluate(() => document.activeElement === window.focusedBefore), 'focus left the task link in the list');
});

scenario('shows the throughput of the last hour as a chart', async ({ page }) => {
  await go(page, '#queues', 'queues');
  await until('bars for the completed tasks', async () => (await page.locator('#chart-svg rect.completed').count()) > 0);
  await until('the total counts them', async () => {
    const m = /last hour: (\d+) completed, (\d+) failed/.exec(await text(page, '#chart-total'));
    return m && Number(m[1]) >= 255 && Number(m[2]) >= 1;
  });
});

scenario('as a viewer finds no write controls on any page', async ({ browser }) => {
  const { context, page } = await open(browser, viewer, viewerPassword);
  try {
    check(/read only/.test(await text(page, '#user')), 'the viewer is told they only read');
    const tasks = await api('GET', '/tasks?name=fails-once&limit=1');
    for (const [hash, shown] of [['#queues', 'queues'], ['#tasks', 'tasks'], [`#task/${tasks[0].id}`, 'task'],
      ['#schedules', 'schedules'], ['#agents', 'agents']]) {
      await go(page, hash, shown);
      await until(`${shown} is filled`, async () => (await page.locator(`#page-${shown} tbody tr, #page-${shown} dd`).count()) > 0);
      const buttons = await page.locator('button').allTextContents();
      const writes = buttons.filter((b) => !['Filter', 'Previous', 'Next'].includes(b));
      check(writes.length === 0, `${shown}: write controls shown to a viewer: ${writes.join(', ')}`);
      check(await page.locator('form#enqueue, form#schedule-form, .write').count() === 0, `${shown}: a write form is there`);
    }
  } finally {
    await context.close();
  }
});

scenario('writes screenshots of every page at 1280×800 and 390 wide', async ({ browser }) => {
  const tasks = await api('GET', '/tasks?name=fails-once&limit=1');
  for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    const { context, page } = await open(browser, admin, adminPassword, viewport);
    try {
      for (const [hash, shown] of [['#queues', 'queues'], ['#tasks', 'tasks'], [`#task/${tasks[0].id}`, 'task'],
        ['#schedules', 'schedules'], ['#agents', 'agents']]) {
        await go(page, hash, shown);
        await until(`${shown} is filled`, async () => (await page.locator(`#page-${shown} tbody tr, #page-${shown} dd`).count()) > 0);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        check(overflow <= 0, `${shown} at ${viewport.width} px scrolls sideways by ${overflow} px (tables scroll inside their box)`);
        if (viewport.width === 390) {
          // on a phone every row's status and actions are on screen, with no sideways scrolling inside a table either
          const { checked, outside } = await page.evaluate(() => {
            const cells = [...document.querySelectorAll('.page:not([hidden]) td.status, .page:not([hidden]) td.actions button,'
              + ' #page-task:not([hidden]) #task-actions button, #page-queues:not([hidden]) #unserved li')];
            const off = cells.map((c) => [c, c.getBoundingClientRect()])
              .filter(([, r]) => r.width === 0 || r.left < 0 || r.right > window.innerWidth)
              .map(([c, r]) => `${c.closest('table')?.id || c.closest('section').id} ${c.className || c.textContent}: ${Math.round(r.left)}–${Math.round(r.right)}`);
            return { checked: cells.length, outside: off };
          });
          check(checked > 0, `${shown}: no status or action found to check`);
          check(outside.length === 0, `${shown} at 390 px: off screen: ${outside.slice(0, 5).join('; ')}`);
        }
        await page.screenshot({ path: `${shots}/${shown}-${viewport.width}.png` });
      }
    } finally {
      await context.close();
    }
  }
});

await mkdir(shots, { recursive: true });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
let failed = 0;
try {
  const admin_ = await open(browser, admin, adminPassword);
  for (const [name, run] of scenarios) {
    const started = Date.now();
    try {
      await run({ browser, page: admin_.page });
      console.log(`ok - ${name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      console.log(`not ok - ${name}: ${e.message}`);
      await admin_.page.screenshot({ path: `${shots}/failed-${scenarios.findIndex(([n]) => n === name)}.png` }).catch(() => {});
    }
  }
  await admin_.context.close();
} finally {
  await browser.close();
}
if (consoleErrors.length) {
  failed++;
  console.log(`not ok - the pages logged no console error: ${consoleErrors.join(' | ')}`);
} else {
  console.log('ok - the pages logged no console error');
}
process.exit(failed ? 1 : 0);
