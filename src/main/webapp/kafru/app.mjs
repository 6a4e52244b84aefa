// kafru dashboard: puts dashboard.mjs on the page. Values are only ever set as text (never as
// HTML), because task messages and parameters come from outside. One page shows at a time
// (the location hash names it); every 3 s the page shown and the header are read again.
import {
  API, COMMANDS, PAGE_SIZE, TASK_STATUSES, age, agentsByServer, chartBars, countPath, cronPath, enqueueBody, health,
  inZone, minuteSeries, pageText, problemText, purgePath, purgeQuestion, queueRows, route, scheduleBody, scheduleWith,
  taskActions, taskDetail, tasksPath, when,
} from './dashboard.mjs';

const $ = (selector) => document.querySelector(selector);
const SVG = 'http://www.w3.org/2000/svg';
const state = { admin: false, offset: 0, filters: {}, databaseError: null, refreshing: false, schedules: [] };

async function api(method, path, body) {
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
  return parsed;
}

function say(text, failed) {
  const line = $('#message');
  line.textContent = text;
  line.className = failed ? 'failed' : 'ok';
}

async function act(method, path, body, done) {
  try {
    await api(method, path, body);
    say(`${done || `${method} ${path}`}: done`, false);
    await refresh();
    return true;
  } catch (e) {
    say(e.message, true);
    return false;
  }
}

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  row.append(td);
  return td;
}

/** A button that changes something: never made for a viewer. */
function writeButton(parent, label, onClick) {
  if (!state.admin) return;
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.className = 'write';
  b.addEventListener('click', onClick);
  parent.append(b);
}

function fill(tbody, items, render) {
  tbody.replaceChildren(...items.map((item) => {
    const row = document.createElement('tr');
    render(row, item);
    return row;
  }));
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
  fill($('#queues tbody'), queueRows(queues, metrics), (row, q) => {
    q.cells.forEach((c) => cell(row, c));
    writeButton(cell(row, ''), q.action[0], () => act(q.action[1], q.action[2]));
  });
  for (const select of [$('#task-queue'), $('#chart-queue')]) {
    const chosen = select.value;
    select.replaceChildren(new Option(select.options[0].text, ''), ...queues.map((q) => new Option(q.queue, q.queue)));
    select.value = chosen;
  }
  drawChart(minuteSeries(throughput, $('#chart-queue').value));
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
  fill($('#tasks tbody'), tasks, (row, t) => {
    cell(row, '').append(link(t.id, `#task/${encodeURIComponent(t.id)}`));
    [t.name, t.handler, t.queue, t.status, `${t.attempts}/${t.maxAttempts}`, when(t.runAt), t.message]
      .forEach((c) => cell(row, c));
    const actions = cell(row, '');
    taskActions(t).forEach(([label, method, path]) => writeButton(actions, label, () => act(method, path, undefined, `${label} ${t.id}`)));
  });
}

async function refreshTask(id) {
  $('#task-id').textContent = id;
  let task;
  try {
    task = await api('GET', `/tasks/${encodeURIComponent(id)}`);
  } catch (e) {
    $('#task-detail').replaceChildren();
    $('#task-actions').replaceChildren();
    throw e;
  }
  $('#task-detail').replaceChildren(...taskDetail(task).flatMap(([label, value]) => {
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement(label === 'parameters' ? 'pre' : 'dd');
    dd.textContent = value;
    dd.dataset.field = label;
    return [dt, dd];
  }));
  const actions = $('#task-actions');
  actions.replaceChildren();
  taskActions(task).forEach(([label, method, path]) => writeButton(actions, label, () => act(method, path, undefined, `${label} ${task.id}`)));
}

async function purge() {
  const path = purgePath(state.filters);
  const count = await api('GET', countPath({ status: state.filters.status, queue: state.filters.queue }));
  if (!path || count.count === 0) return;
  if (!window.confirm(purgeQuestion(state.filters, count))) return;
  state.offset = 0;
  await act('DELETE', path, undefined, 'purge');
}

// ---- schedules ---------------------------------------------------------------------------------

async function refreshSchedules() {
  const schedules = await api('GET', '/schedules?limit=200');
  state.schedules = schedules;
  fill($('#schedules tbody'), schedules, (row, s) => {
    [s.name, s.handler, s.queue, s.cronExpression || '(one time)', s.timeZone, s.status, when(s.nextSchedule)]
      .forEach((c) => cell(row, c));
    const actions = cell(row, '');
    const other = s.status === 'Enabled' ? 'Disabled' : 'Enabled';
    writeButton(actions, s.status === 'Enabled' ? 'Disable' : 'Enable',
      () => act('PUT', `/schedules/${encodeURIComponent(s.id)}`, scheduleWith(s, { status: other }), `${other} ${s.name}`));
    if (s.cronExpression) writeButton(actions, 'Edit', () => editSchedule(s));
    writeButton(actions, 'Remove', () => act('DELETE', `/schedules/${encodeURIComponent(s.id)}`, undefined, `remove ${s.name}`));
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
  $('#servers').replaceChildren(...agentsByServer(agents).map(([server, list]) => {
    const section = document.createElement('section');
    const h = document.createElement('h3');
    h.textContent = `server ${server}`;
    const wrap = document.createElement('div');
    wrap.className = 'scroll';
    const table = document.createElement('table');
    table.className = 'agents';
    const head = document.createElement('tr');
    ['kind', 'name', 'status', 'heartbeat age', 'command', ''].forEach((c) => {
      const th = document.createElement('th');
      th.textContent = c;
      head.append(th);
    });
    const thead = document.createElement('thead');
    thead.append(head);
    const tbody = document.createElement('tbody');
    fill(tbody, list, (row, a) => {
      [a.kind, a.kind === 'Task' ? `task ${a.queueId}` : a.name, a.status, age(a.heartbeat, now),
        a.command ? `${a.command}${a.commandIsExecuted ? ' (done)' : ''}` : ''].forEach((c) => cell(row, c));
      const actions = cell(row, '');
      if (a.status === 'Running') {
        (COMMANDS[a.kind] || []).forEach((command) => writeButton(actions, command,
          () => act('POST', `/agents/${encodeURIComponent(a.id)}/commands`, { command, message: 'from the dashboard' }, command)));
      }
    });
    table.append(thead, tbody);
    wrap.append(table);
    section.append(h, wrap);
    return section;
  }));
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
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('current', a.dataset.page === (page === 'task' ? 'tasks' : page)));
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
        priority: field('priority'), runAt: field('runAt'),
      }), 'enqueue');
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
