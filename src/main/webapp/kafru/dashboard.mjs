// kafru dashboard: what the page shows and which requests it sends, without the DOM, so that
// it can be tested in Node (src/test/js). app.mjs puts it on the page.

export const API = 'api';
export const TASK_STATUSES = ['Waiting', 'InProgress', 'Completed', 'Error'];
export const COMMANDS = {
  Queue: ['QueueGracefulShutdown', 'QueueForceShutdown'],
  Scheduler: ['SchedulerGracefulShutdown', 'SchedulerForceShutdown'],
  Task: ['TaskTerminate', 'TaskRemove'],
};

/** The list request for the task filters; empty filters are left out. */
export function tasksPath({ status, queue, limit, offset } = {}) {
  const params = new URLSearchParams();
  if (status) params.set('status', status);
  if (queue) params.set('queue', queue);
  params.set('limit', String(limit || 50));
  if (offset) params.set('offset', String(offset));
  return `/tasks?${params}`;
}

/** What can be done to a task in its status: [label, method, path]. */
export function taskActions(task) {
  const id = encodeURIComponent(task.id);
  switch (task.status) {
    case 'Error':
      return [['Retry', 'POST', `/tasks/${id}/retry`], ['Remove', 'DELETE', `/tasks/${id}`]];
    case 'InProgress':
      return [['Terminate', 'POST', `/tasks/${id}/terminate`]];
    default:
      return [['Remove', 'DELETE', `/tasks/${id}`]];
  }
}

/** One row per queue: the cells shown, and the pause/resume action. */
export function queueRows(queues) {
  return queues.map((q) => ({
    cells: [q.queue, ...TASK_STATUSES.map((s) => String(q.counts?.[s] ?? 0)), `${q.running}/${q.threads}`,
      q.paused ? 'paused' : 'running', (q.servers || []).join(', ')],
    action: q.paused
      ? ['Resume', 'POST', `/queues/${encodeURIComponent(q.queue)}/resume`]
      : ['Pause', 'POST', `/queues/${encodeURIComponent(q.queue)}/pause`],
  }));
}

/** The enqueue form's fields as the request body; throws an Error naming the field at fault. */
export function enqueueBody({ handler, queue, parameters, priority, runAt }) {
  if (!handler) throw new Error('handler: choose a handler');
  const body = { handler };
  if (queue) body.queue = queue;
  if (parameters && parameters.trim()) {
    let parsed;
    try {
      parsed = JSON.parse(parameters);
    } catch (e) {
      throw new Error(`parameters: not JSON (${e.message})`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error('parameters: give a JSON object, such as {"invoice": 1234}');
    }
    body.parameters = parsed;
  }
  if (priority !== undefined && priority !== '') {
    const n = Number(priority);
    if (!Number.isInteger(n)) throw new Error('priority: give a whole number');
    body.priority = n;
  }
  if (runAt) body.runAt = new Date(runAt).toISOString();
  return body;
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
