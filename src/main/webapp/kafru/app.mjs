// kafru dashboard: puts dashboard.mjs on the page. Values are only ever set as text (never as
// HTML), because task messages and parameters come from outside.
import {
  API, COMMANDS, TASK_STATUSES, enqueueBody, problemText, queueRows, taskActions, tasksPath, when,
} from './dashboard.mjs';

const $ = (selector) => document.querySelector(selector);

async function api(method, path, body) {
  const response = await fetch(API + path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = null; }
  if (!response.ok) throw new Error(problemText(response.status, parsed));
  return parsed;
}

function say(text, failed) {
  const line = $('#message');
  line.textContent = text;
  line.className = failed ? 'failed' : 'ok';
}

async function act(method, path, body) {
  try {
    await api(method, path, body);
    say(`${method} ${path}: done`, false);
    await refresh();
  } catch (e) {
    say(e.message, true);
  }
}

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  row.append(td);
  return td;
}

function button(parent, label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
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

async function refreshQueues() {
  const queues = await api('GET', '/queues');
  fill($('#queues tbody'), queueRows(queues), (row, q) => {
    q.cells.forEach((c) => cell(row, c));
    button(cell(row, ''), q.action[0], () => act(q.action[1], q.action[2]));
  });
  const queueFilter = $('#task-queue');
  const chosen = queueFilter.value;
  queueFilter.replaceChildren(new Option('any queue', ''), ...queues.map((q) => new Option(q.queue, q.queue)));
  queueFilter.value = chosen;
}

async function refreshTasks() {
  const tasks = await api('GET', tasksPath({ status: $('#task-status').value, queue: $('#task-queue').value, limit: 100 }));
  fill($('#tasks tbody'), tasks, (row, t) => {
    [t.id, t.name, t.handler, t.queue, t.status, `${t.attempts}/${t.maxAttempts}`, when(t.runAt), t.message]
      .forEach((c) => cell(row, c));
    const actions = cell(row, '');
    taskActions(t).forEach(([label, method, path]) => button(actions, label, () => act(method, path)));
  });
}

async function refreshSchedules() {
  const schedules = await api('GET', '/schedules?limit=200');
  fill($('#schedules tbody'), schedules, (row, s) => {
    [s.name, s.handler, s.queue, s.cronExpression || '(one time)', s.timeZone, s.status, when(s.nextSchedule)]
      .forEach((c) => cell(row, c));
    button(cell(row, ''), 'Remove', () => act('DELETE', `/schedules/${encodeURIComponent(s.id)}`));
  });
}

async function refreshAgents() {
  const agents = await api('GET', '/agents');
  fill($('#agents tbody'), agents, (row, a) => {
    [a.kind, a.name, a.server, a.status, when(a.heartbeat), a.command || ''].forEach((c) => cell(row, c));
    const actions = cell(row, '');
    if (a.status === 'Running') {
      (COMMANDS[a.kind] || []).forEach((command) => button(actions, command,
        () => act('POST', `/agents/${encodeURIComponent(a.id)}/commands`, { command, message: 'from the dashboard' })));
    }
  });
}

async function refresh() {
  try {
    await Promise.all([refreshQueues(), refreshTasks(), refreshSchedules(), refreshAgents()]);
    $('#updated').textContent = `updated ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`;
  } catch (e) {
    say(e.message, true);
  }
}

async function start() {
  $('#task-status').replaceChildren(new Option('any status', ''), ...TASK_STATUSES.map((s) => new Option(s, s)));
  $('#task-status').addEventListener('change', refreshTasks);
  $('#task-queue').addEventListener('change', refreshTasks);
  $('#enqueue').addEventListener('submit', (event) => {
    event.preventDefault();
    const field = (name) => event.target.elements.namedItem(name).value;
    try {
      act('POST', '/tasks', enqueueBody({
        handler: field('handler'), queue: field('queue'), parameters: field('parameters'),
        priority: field('priority'), runAt: field('runAt'),
      }));
    } catch (e) {
      say(e.message, true);
    }
  });
  try {
    const handlers = await api('GET', '/handlers');
    $('#handler').replaceChildren(...handlers.map((h) => new Option(h, h)));
  } catch (e) {
    say(e.message, true);
  }
  await refresh();
  setInterval(refresh, 3000);
}

start();
