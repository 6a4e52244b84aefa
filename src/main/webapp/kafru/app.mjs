// kafru dashboard: puts dashboard.mjs on the page. Values are only ever set as text (never as
// HTML), because task messages and parameters come from outside. One page shows at a time
// (the location hash names it); every 3 s the page shown and the header are read again, and
// patched into the page rather than rebuilt, so that a focused button, an open stack trace and
// the place a keyboard user was at survive the refresh.
import {
  API, COMMANDS, PAGE_SIZE, TASK_STATUSES, age, agentName, agentsByServer, attemptHistory, attemptLine, cancelText, chartBars,
  commandQuestion, countPath, cronPath, enqueueBody, enqueueText, health, inZone, minuteSeries, pageText, problemText, purgePath, purgeQuestion, queueRows,
  batchLine, childLine, removeScheduleQuestion, retryFailedQuestion, route, runNowQuestion, scheduleBody, scheduleWith, taskActions, taskDetail, taskError, taskProgress,
  taskName, taskQuestion, tasksPath, unservedNotices, when,
} from './dashboard.mjs';

const $ = (selector) => document.querySelector(selector);
const SVG = 'http://www.w3.org/2000/svg';
const state = { admin: false, offset: 0, filters: {}, databaseError: null, refreshing: false, schedules: [] };

async function api(method, path, body) {
  return (await send(method, path, body)).answer;
}

/** A request to the admin API: its parsed answer, and the response (for its headers); throws the problem as an Error. */
async function send(method, path, body) {
  const response = await fetch(API + path, {
    method,
    credentials: 'same-origin',
    // X-Requested-By: a header no cross-site form can send, which the admin API asks of every write
    headers: body === undefined ? { 'X-Requested-By': 'kafru' } : { 'X-Requested-By': 'kafru', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = null; }
  if (!response.ok) {
    const error = new Error(problemText(response.status, parsed));
    error.problem = parsed;
    if (response.status >= 500) state.databaseError = error.message;
    throw error;
  }
  return { answer: parsed, response };
}

function say(text, failed) {
  const line = $('#message');
  line.textContent = text;
  line.className = failed ? 'failed' : 'ok';
}

/**
 * Sends a write and shows how it went: "<what>: done", or the line `said` makes from the answer
 * (and the response). With a question, nothing is sent unless the user confirms it ("<what>:
 * cancelled", or `dismissed`).
 */
async function act(method, path, body, what, question, said, dismissed) {
  if (question && !window.confirm(question)) {
    say(dismissed ?? `${what}: cancelled`, false);
    return false;
  }
  try {
    const { answer, response } = await send(method, path, body);
    say(said ? said(answer, response) : `${what}: done`, false);
    await refresh();
    return true;
  } catch (e) {
    say(e.message, true);
    return false;
  }
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  if (className) td.className = className;
  row.append(td);
  return td;
}

/**
 * A button that changes something: never made for a viewer. `name` completes its accessible
 * name ("Remove: task hello (k1)"); `focus` names it among the page's buttons ("tasks/k1/Remove"):
 * a refresh keeps the button of that name (a toggle keeps one name for both labels), and gives
 * focus back by it.
 */
function writeButton(parent, label, onClick, { name, focus } = {}) {
  if (!state.admin) return null;
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.className = 'write';
  if (name) b.setAttribute('aria-label', `${label}: ${name}`);
  if (focus) {
    b.dataset.focus = focus;
    b.dataset.key = focus;
  }
  // a property, not a listener: a refresh that keeps this button hands it the new row's handler
  b.onclick = onClick;
  parent.append(b);
  return b;
}

const TEXT_NODE = 3;

/**
 * Makes `into` look like `from`, keeping `into` and each child that can stay (same tag, same
 * data-key), so that a refresh leaves focus, an open <details> and selections alone.
 */
function patch(into, from) {
  if (into.nodeType !== from.nodeType || into.nodeName !== from.nodeName || into.dataset?.key !== from.dataset?.key) {
    into.replaceWith(from);
    return from;
  }
  if (into.nodeType === TEXT_NODE) {
    if (into.data !== from.data) into.data = from.data;
    return into;
  }
  for (const { name } of [...into.attributes]) {
    // a <details> the user opened stays open
    if (!from.hasAttribute(name) && !(name === 'open' && into.nodeName === 'DETAILS')) into.removeAttribute(name);
  }
  for (const { name, value } of [...from.attributes]) {
    if (into.getAttribute(name) !== value) into.setAttribute(name, value);
  }
  into.onclick = from.onclick;
  if ('disabled' in from) into.disabled = from.disabled;
  patchChildren(into, [...from.childNodes]);
  return into;
}

/** Puts `fresh` as the children of `parent`, by data-key when every one has one (table rows), else by position. */
function patchChildren(parent, fresh) {
  if (!fresh.length || !fresh.every((n) => n.dataset?.key !== undefined)) {
    const old = [...parent.childNodes];
    fresh.forEach((node, i) => (i < old.length ? patch(old[i], node) : parent.append(node)));
    old.slice(fresh.length).forEach((n) => n.remove());
    return;
  }
  const wanted = new Set(fresh.map((n) => n.dataset.key));
  const kept = new Map();
  for (const child of [...parent.childNodes]) {
    const key = child.dataset?.key;
    // gone first, so that the rows that stay are not moved (moving a focused element blurs it)
    if (key !== undefined && wanted.has(key) && !kept.has(key)) kept.set(key, child);
    else child.remove();
  }
  fresh.forEach((node, i) => {
    const old = kept.get(node.dataset.key);
    kept.delete(node.dataset.key);
    const placed = old ? patch(old, node) : node;
    if (parent.childNodes[i] !== placed) parent.insertBefore(placed, parent.childNodes[i] ?? null);
  });
}

const FOLLOWING = 4; // Node.DOCUMENT_POSITION_FOLLOWING

/**
 * Runs a render; when it took the focused element away, gives focus back to it, or to its
 * equivalent (the same data-focus), or to the control that followed it in its row and is still
 * there (after Retry, which goes, its row's Remove), or to another control of the row — never to
 * the top of the page when the row is still there.
 */
function keepingFocus(render) {
  const focused = document.activeElement;
  const key = focused?.dataset?.focus;
  const row = key ? key.slice(0, key.lastIndexOf('/') + 1) : null;
  const following = key ? [...document.querySelectorAll('[data-focus]')]
    .filter((e) => e.dataset.focus.startsWith(row) && focused.compareDocumentPosition(e) & FOLLOWING) : [];
  render();
  if (!focused || focused === document.body || document.activeElement === focused) return;
  let again = focused.isConnected ? focused : null;
  if (!again && key) {
    const candidates = [...document.querySelectorAll('[data-focus]')];
    const sameRow = candidates.filter((e) => e.dataset.focus.startsWith(row));
    again = candidates.find((e) => e.dataset.focus === key) || following.find((e) => e.isConnected)
      || sameRow.find((e) => e.nodeName === focused.nodeName) || sameRow[0];
  }
  again?.focus({ preventScroll: true });
}

/** Rows of a table body, one per item, keyed so that a refresh patches rows rather than rebuilding them; each cell carries its column's name (the phone layout shows it). */
function fill(tbody, items, key, render) {
  const labels = [...tbody.closest('table').querySelectorAll('thead th')].map((th) => th.textContent);
  keepingFocus(() => patchChildren(tbody, items.map((item) => {
    const row = document.createElement('tr');
    row.dataset.key = key(item);
    render(row, item);
    [...row.children].forEach((td, i) => { if (labels[i]) td.dataset.label = labels[i]; });
    return row;
  })));
}

function link(text, href) {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  return a;
}

// ---- queues ------------------------------------------------------------------------------------

async function refreshQueues() {
  const [queues, metrics, throughput] = await Promise.all([api('GET', '/queues'), api('GET', '/metrics'),
    api('GET', '/queues/throughput?minutes=60')]);
  fill($('#queues tbody'), queueRows(queues, metrics), (q) => q.queue, (row, q) => {
    q.cells.forEach((c, i) => cell(row, c, i === TASK_STATUSES.length + 2 ? 'status' : null));
    const actions = cell(row, '', 'actions');
    const what = `queue ${q.queue}`;
    writeButton(actions, q.action[0], () => act(q.action[1], q.action[2], undefined, `${q.action[0]} ${what}`),
      { name: what, focus: `queues/${q.queue}/toggle` });
    if (q.failed) {
      writeButton(actions, 'Retry failed', () => retryFailed(q.queue).catch((e) => say(e.message, true)),
        { name: what, focus: `queues/${q.queue}/retry-failed` });
    }
  });
  keepingFocus(() => patchChildren($('#unserved'), unservedNotices(queues).map((n) => {
    const li = document.createElement('li');
    li.dataset.key = n.key;
    li.textContent = n.text;
    return li;
  })));
  $('#unserved').hidden = $('#unserved').childElementCount === 0;
  const names = queues.map((q) => q.queue);
  for (const select of [$('#task-queue'), $('#chart-queue')]) {
    // rebuilt only when the queues changed: a keyboard user may be in it
    if ([...select.options].slice(1).map((o) => o.value).join('\n') === names.join('\n')) continue;
    const chosen = select.value;
    select.replaceChildren(new Option(select.options[0].text, ''), ...names.map((n) => new Option(n, n)));
    select.value = chosen;
  }
  drawChart(minuteSeries(throughput, $('#chart-queue').value));
}

/** Retries every failed task of a queue after a confirmation that names how many (counted just before). */
async function retryFailed(queue) {
  const count = await api('GET', countPath({ status: 'Error', queue }));
  if (count.count === 0) {
    say(`queue ${queue} has no failed task to retry`, false);
    await refresh();
    return;
  }
  await act('POST', `/queues/${encodeURIComponent(queue)}/retry-failed`, undefined, `retry the failed tasks of queue ${queue}`,
    retryFailedQuestion(queue, count),
    (answer) => `retried ${answer.retried} failed task${answer.retried === 1 ? '' : 's'} of queue ${queue}`);
}

function drawChart(series) {
  const svg = $('#chart-svg');
  const [width, height, left, bottom] = [640, 160, 40, 16];
  const { top, bars } = chartBars(series, width - left, height - bottom - 4);
  const shapes = bars.map((b) => {
    const rect = document.createElementNS(SVG, 'rect');
    rect.setAttribute('class', b.kind);
    rect.setAttribute('x', String(left + b.x));
    rect.setAttribute('y', String(4 + b.y));
    rect.setAttribute('width', String(b.width));
    rect.setAttribute('height', String(b.height));
    const title = document.createElementNS(SVG, 'title');
    title.textContent = `${when(b.minute)}: ${b.value} ${b.kind}`;
    rect.append(title);
    return rect;
  });
  const text = (x, y, content, anchor) => {
    const t = document.createElementNS(SVG, 'text');
    t.setAttribute('x', String(x));
    t.setAttribute('y', String(y));
    t.setAttribute('text-anchor', anchor);
    t.textContent = content;
    return t;
  };
  const axis = document.createElementNS(SVG, 'line');
  [['x1', left], ['y1', height - bottom], ['x2', width], ['y2', height - bottom]].forEach(([k, v]) => axis.setAttribute(k, String(v)));
  svg.replaceChildren(axis, ...shapes, text(left - 4, 14, String(top), 'end'), text(left - 4, height - bottom, '0', 'end'),
    text(left, height - 2, '60 min ago', 'start'), text(width, height - 2, 'now', 'end'));
  const completed = series.reduce((n, s) => n + s.completed, 0);
  const failed = series.reduce((n, s) => n + s.failed, 0);
  $('#chart-total').textContent = `last hour: ${completed} completed, ${failed} failed`;
}

// ---- tasks -------------------------------------------------------------------------------------

async function refreshTasks() {
  const { filters, offset } = state;
  const [tasks, count] = await Promise.all([api('GET', tasksPath({ ...filters, limit: PAGE_SIZE, offset })),
    api('GET', countPath(filters))]);
  state.count = count;
  const paging = pageText({ offset, shown: tasks.length, count });
  $('#page-text').textContent = paging.text;
  $('#page-previous').disabled = !paging.previous;
  $('#page-next').disabled = !paging.next;
  const purge = $('#purge');
  if (purge) purge.disabled = !purgePath(filters) || count.count === 0;
  fill($('#tasks tbody'), tasks, (t) => t.id, (row, t) => {
    const open = link(t.id, `#task/${encodeURIComponent(t.id)}`);
    open.dataset.focus = `tasks/${t.id}/open`;
    cell(row, '').append(open);
    [t.name, t.handler, t.queue, t.status].forEach((c, i) => { if (i === 3) cell(row, c, 'status').dataset.status = c; else cell(row, c); });
    progressCell(row, t);
    [`${t.attempts}/${t.maxAttempts}`, when(t.runAt), t.author, (t.labels ?? []).join(', '), t.message].forEach((c) => cell(row, c));
    taskButtons(cell(row, '', 'actions'), t, 'tasks');
  });
}

/** A bar of how far a task's handler got, labelled with the percent, done of total and note. */
function progressBar(view) {
  const bar = document.createElement('progress');
  bar.max = 100;
  bar.value = view.percent;
  bar.setAttribute('aria-label', `progress ${view.text}`);
  bar.title = view.text;
  return bar;
}

/** The list's progress column: the bar and its percent, empty when the handler reported none. */
function progressCell(row, task) {
  const td = cell(row, '', 'progress');
  const view = taskProgress(task);
  if (view) td.append(progressBar(view), ` ${view.percent}%`);
}

/** A task's Cancel, Retry, Terminate and Remove, as its status allows; Cancel, Terminate and Remove ask first. */
function taskButtons(parent, task, where) {
  taskActions(task).forEach(([label, method, path]) => writeButton(parent, label,
    () => (label === 'Cancel'
      ? act(method, path, undefined, `${label} ${task.id}`, taskQuestion(label, task), cancelText,
        `Cancel ${task.id}: not sent, the task goes on`)
      : act(method, path, undefined, `${label} ${task.id}`, taskQuestion(label, task))),
    { name: taskName(task), focus: `${where}/${task.id}/${label}` }));
}

async function refreshTask(id) {
  $('#task-id').textContent = id;
  let task;
  try {
    task = await api('GET', `/tasks/${encodeURIComponent(id)}`);
  } catch (e) {
    $('#task-detail').replaceChildren();
    $('#task-actions').replaceChildren();
    $('#task-error').hidden = true;
    $('#task-history').hidden = true;
    throw e;
  }
  keepingFocus(() => {
    patchChildren($('#task-detail'), taskDetail(task).flatMap(([label, value]) => {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement(label === 'parameters' ? 'pre' : 'dd');
      if (label === 'parent' || label === 'batch') {
        dd.append(link(value, `#task/${encodeURIComponent(value)}`));
      } else {
        dd.textContent = value;
      }
      if (label === 'progress') dd.prepend(progressBar(taskProgress(task)), ' ');
      dd.dataset.field = label;
      if (label === 'status') dd.dataset.status = value;
      return [dt, dd];
    }));
    const error = taskError(task);
    $('#task-error').hidden = !error;
    $('#task-error-title').textContent = error?.title ?? '';
    $('#task-message').textContent = error?.text ?? '';
    const history = attemptHistory(task);
    $('#task-history').hidden = history.length === 0;
    patchChildren($('#task-attempts'), history.map(renderAttempt));
    const actions = document.createElement('span');
    taskButtons(actions, task, 'task');
    patchChildren($('#task-actions'), [...actions.childNodes]);
  });
  await refreshLinks(task);
}

/** Members of a batch listed on a task page (the first ones; GET /batches/{id}/tasks pages through all). */
const BATCH_MEMBERS_SHOWN = 20;

/** The task's batch (a bar of members ended, its first members) and the tasks chained after it. */
async function refreshLinks(task) {
  const [batch, members, children] = await Promise.all([
    task.batch ? api('GET', `/batches/${encodeURIComponent(task.batch)}`).catch(() => null) : null,
    task.batch ? api('GET', `/batches/${encodeURIComponent(task.batch)}/tasks?limit=${BATCH_MEMBERS_SHOWN}`).catch(() => []) : [],
    api('GET', `/tasks/${encodeURIComponent(task.id)}/children`).catch(() => []),
  ]);
  keepingFocus(() => {
    $('#task-batch').hidden = !batch;
    if (batch) {
      const line = batchLine(batch);
      $('#task-batch-id').textContent = batch.id;
      $('#task-batch-id').href = `#task/${encodeURIComponent(batch.id)}`;
      $('#task-batch-bar').value = line.share;
      $('#task-batch-text').textContent = line.text;
      patchChildren($('#task-batch-members'), members.map((m) => {
        const li = document.createElement('li');
        li.dataset.key = m.id;
        const status = document.createElement('span');
        status.dataset.status = m.status;
        status.textContent = m.status;
        li.append(link(m.name, `#task/${encodeURIComponent(m.id)}`), ' ', status);
        return li;
      }));
    }
    $('#task-children').hidden = children.length === 0;
    patchChildren($('#task-child-list'), children.map((child) => {
      const li = document.createElement('li');
      li.dataset.key = child.id;
      if (child.pushedAt) {
        li.append(link(child.id, `#task/${encodeURIComponent(child.id)}`), ` ${childLine(child)}`);
      } else {
        li.textContent = childLine(child);
      }
      return li;
    }));
  });
}

/** One failed attempt: when, where and what was thrown, its message, and its stack trace folded away. */
function renderAttempt(a) {
  const li = document.createElement('li');
  li.dataset.key = String(a.attempt);
  const line = document.createElement('p');
  line.className = 'attempt';
  line.textContent = attemptLine(a);
  li.append(line);
  if (a.message) {
    const message = document.createElement('pre');
    message.className = 'attempt-message';
    message.textContent = a.message;
    li.append(message);
  }
  if (a.stackTrace) {
    const details = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = 'stack trace';
    const trace = document.createElement('pre');
    trace.className = 'stack';
    trace.textContent = a.stackTrace;
    details.append(summary, trace);
    li.append(details);
  }
  return li;
}

async function purge() {
  const path = purgePath(state.filters);
  const count = await api('GET', countPath({ status: state.filters.status, queue: state.filters.queue }));
  if (!path || count.count === 0) return;
  if (!window.confirm(purgeQuestion(state.filters, count))) {
    say('purge: cancelled', false);
    return;
  }
  state.offset = 0;
  await act('DELETE', path, undefined, 'purge');
}

// ---- schedules ---------------------------------------------------------------------------------

async function refreshSchedules() {
  const schedules = await api('GET', '/schedules?limit=200');
  state.schedules = schedules;
  fill($('#schedules tbody'), schedules, (s) => s.id, (row, s) => {
    [s.name, s.handler, s.queue, s.cronExpression || '(one time)', s.timeZone, s.status, when(s.nextSchedule)]
      .forEach((c, i) => cell(row, c, i === 5 ? 'status' : null));
    const actions = cell(row, '', 'actions');
    const id = encodeURIComponent(s.id);
    const what = { name: `schedule ${s.name}` };
    const focus = (key) => ({ ...what, focus: `schedules/${s.id}/${key}` });
    const other = s.status === 'Enabled' ? 'Disabled' : 'Enabled';
    writeButton(actions, s.status === 'Enabled' ? 'Disable' : 'Enable',
      () => act('PUT', `/schedules/${id}`, scheduleWith(s, { status: other }), `${other} ${s.name}`), focus('toggle'));
    writeButton(actions, 'Run now', () => act('POST', `/schedules/${id}/run`, undefined, `run ${s.name} now`, runNowQuestion(s),
      (task) => `run ${s.name} now: task ${task.id} pushed into queue ${task.queue}`), focus('run'));
    if (s.cronExpression) writeButton(actions, 'Edit', () => editSchedule(s), focus('edit'));
    writeButton(actions, 'Remove', () => act('DELETE', `/schedules/${id}`, undefined, `remove ${s.name}`,
      removeScheduleQuestion(s)), focus('remove'));
  });
}

function editSchedule(s) {
  const form = $('#schedule-form');
  const set = (name, value) => { form.elements.namedItem(name).value = value ?? ''; };
  set('id', s.id);
  set('name', s.name);
  set('handler', s.handler);
  set('queue', s.queue);
  set('cron', s.cronExpression);
  set('timeZone', s.timeZone);
  set('status', s.status);
  set('parameters', s.parameters && Object.keys(s.parameters).length ? JSON.stringify(s.parameters) : '');
  $('#schedule-title').textContent = `Edit schedule ${s.name}`;
  $('#schedule-save').textContent = 'Save';
  checkCron();
  form.scrollIntoView?.();
}

function resetScheduleForm() {
  $('#schedule-title').textContent = 'New schedule';
  $('#schedule-save').textContent = 'Create';
  $('#cron-problem').textContent = '';
  $('#cron-next').replaceChildren();
}

let cronTimer = null;
let cronAsked = 0;

/** Checks the cron as it is typed (after a pause of 250 ms), with the server's parser, and previews 5 times in the zone. */
function checkCronSoon() {
  clearTimeout(cronTimer);
  cronTimer = setTimeout(checkCron, 250);
}

async function checkCron() {
  const cron = $('#schedule-cron').value.trim();
  const zone = $('#schedule-zone').value.trim() || 'UTC';
  const asked = ++cronAsked;
  const problem = $('#cron-problem');
  const list = $('#cron-next');
  if (!cron) {
    problem.textContent = '';
    list.replaceChildren();
    return;
  }
  try {
    const check = await api('GET', cronPath(cron, zone));
    if (asked !== cronAsked) return; // a later check is under way
    problem.textContent = check.next.length ? `next ${check.next.length} times in ${check.timeZone}:` : 'it never fires again';
    problem.className = 'ok';
    list.replaceChildren(...check.next.map((t) => {
      const li = document.createElement('li');
      li.textContent = `${inZone(t, check.timeZone)} (${when(t)})`;
      return li;
    }));
  } catch (e) {
    if (asked !== cronAsked) return;
    problem.textContent = e.problem?.detail || e.message;
    problem.className = 'failed';
    list.replaceChildren();
  }
}

async function saveSchedule(event) {
  event.preventDefault();
  const form = event.target;
  const field = (name) => form.elements.namedItem(name).value;
  let body;
  try {
    body = scheduleBody({
      name: field('name'), handler: field('handler'), queue: field('queue'), cron: field('cron'),
      timeZone: field('timeZone'), parameters: field('parameters'), status: field('status'),
    });
  } catch (e) {
    say(e.message, true);
    return;
  }
  const id = field('id');
  const saved = id
    ? await act('PUT', `/schedules/${encodeURIComponent(id)}`, body, `save ${body.name}`)
    : await act('POST', '/schedules', body, `create ${body.name}`);
  if (saved) {
    form.reset();
    resetScheduleForm();
  }
}

// ---- agents ------------------------------------------------------------------------------------

function renderAgents(agents) {
  const now = Date.now();
  const sections = agentsByServer(agents).map(([server, list]) => {
    const section = document.createElement('section');
    section.dataset.key = server;
    const h = document.createElement('h3');
    h.textContent = `server ${server}`;
    const wrap = document.createElement('div');
    wrap.className = 'scroll';
    const table = document.createElement('table');
    table.className = 'agents';
    const head = document.createElement('tr');
    const labels = ['kind', 'name', 'status', 'heartbeat age', 'command', 'actions'];
    labels.forEach((c) => {
      const th = document.createElement('th');
      const label = document.createElement('span');
      label.textContent = c;
      if (c === 'actions') label.className = 'hidden';
      th.append(label);
      head.append(th);
    });
    const thead = document.createElement('thead');
    thead.append(head);
    const tbody = document.createElement('tbody');
    list.forEach((a) => {
      const row = document.createElement('tr');
      row.dataset.key = a.id;
      [a.kind, a.kind === 'Task' ? `task ${a.queueId}` : a.name, a.status, age(a.heartbeat, now),
        a.command ? `${a.command}${a.commandIsExecuted ? ' (done)' : ''}` : ''].forEach((c, i) => cell(row, c, i === 2 ? 'status' : null));
      const actions = cell(row, '', 'actions');
      if (a.status === 'Running') {
        (COMMANDS[a.kind] || []).forEach((command) => writeButton(actions, command,
          () => act('POST', `/agents/${encodeURIComponent(a.id)}/commands`, { command, message: 'from the dashboard' }, command,
            commandQuestion(a, command)),
          { name: agentName(a), focus: `agents/${a.id}/${command}` }));
      }
      [...row.children].forEach((td, i) => { if (labels[i]) td.dataset.label = labels[i]; });
      tbody.append(row);
    });
    table.append(thead, tbody);
    wrap.append(table);
    section.append(h, wrap);
    return section;
  });
  keepingFocus(() => patchChildren($('#servers'), sections));
}

// ---- the page ----------------------------------------------------------------------------------

const loaders = {
  queues: refreshQueues,
  tasks: refreshTasks,
  task: () => refreshTask(route(location.hash).id),
  schedules: refreshSchedules,
  agents: async () => {},
};

function show() {
  const { page } = route(location.hash);
  document.querySelectorAll('.page').forEach((p) => { p.hidden = p.id !== `page-${page}`; });
  document.querySelectorAll('nav a').forEach((a) => {
    // "page" on the page shown; "true" on Tasks while one task's detail is shown
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page');
    else if (page === 'task' && a.dataset.page === 'tasks') a.setAttribute('aria-current', 'true');
    else a.removeAttribute('aria-current');
  });
  return page;
}

async function refresh() {
  if (state.refreshing) {
    state.again = true; // what changed (a filter, a page, an action) is shown right after the read under way
    return;
  }
  state.refreshing = true;
  const page = show();
  try {
    const [agents] = await Promise.all([api('GET', '/agents'), loaders[page]()]);
    state.databaseError = null;
    renderAgents(agents);
    renderHealth(agents);
    $('#updated').textContent = `updated ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`;
  } catch (e) {
    renderHealth(null);
    say(e.message, true);
  } finally {
    state.refreshing = false;
    if (state.again) {
      state.again = false;
      refresh();
    }
  }
}

function renderHealth(agents) {
  const h = health({ databaseError: state.databaseError, agents: agents ?? state.agents });
  if (agents) state.agents = agents;
  $('#health-db').textContent = h.database;
  $('#health-servers').textContent = h.servers;
  $('#health').className = h.ok ? 'ok' : 'failed';
}

function readFilters() {
  state.filters = {
    status: $('#task-status').value, queue: $('#task-queue').value,
    handler: $('#task-handler').value.trim(), name: $('#task-name').value.trim(),
    author: $('#task-author').value.trim(), label: $('#task-label').value.trim(),
  };
  state.offset = 0;
  refresh();
}

function wire() {
  $('#task-status').replaceChildren(new Option('any status', ''), ...TASK_STATUSES.map((s) => new Option(s, s)));
  $('#task-status').addEventListener('change', readFilters);
  $('#task-queue').addEventListener('change', readFilters);
  $('#chart-queue').addEventListener('change', refresh);
  $('#task-filters').addEventListener('submit', (event) => { event.preventDefault(); readFilters(); });
  $('#page-previous').addEventListener('click', () => { state.offset = Math.max(0, state.offset - PAGE_SIZE); refresh(); });
  $('#page-next').addEventListener('click', () => { state.offset += PAGE_SIZE; refresh(); });
  window.addEventListener('hashchange', refresh);
  if (!state.admin) {
    document.querySelectorAll('.write').forEach((e) => e.remove());
    return;
  }
  $('#purge').addEventListener('click', () => purge().catch((e) => say(e.message, true)));
  $('#enqueue').addEventListener('submit', (event) => {
    event.preventDefault();
    const field = (name) => event.target.elements.namedItem(name).value;
    try {
      act('POST', '/tasks', enqueueBody({
        handler: field('handler'), queue: field('queue'), name: field('name'), parameters: field('parameters'),
        priority: field('priority'), runAt: field('runAt'), uniqueKey: field('uniqueKey'), timeout: field('timeout'),
      }), 'enqueue', null, (task, response) => enqueueText(task, response.headers?.get('Kafru-Created')));
    } catch (e) {
      say(e.message, true);
    }
  });
  $('#schedule-form').addEventListener('submit', saveSchedule);
  $('#schedule-form').addEventListener('reset', resetScheduleForm);
  $('#schedule-cron').addEventListener('input', checkCronSoon);
  $('#schedule-zone').addEventListener('input', checkCronSoon);
}

async function start() {
  try {
    const [me, handlers] = await Promise.all([api('GET', '/me'), api('GET', '/handlers')]);
    state.admin = me.admin;
    $('#user').textContent = `${me.user}${me.admin ? '' : ' (viewer: read only)'}`;
    for (const select of [$('#handler'), $('#schedule-handler')]) {
      select?.replaceChildren(...handlers.map((h) => new Option(h, h)));
    }
  } catch (e) {
    say(e.message, true);
  }
  wire();
  await refresh();
  setInterval(refresh, 3000);
}

start();
