package dev.kafru.admin;

/** Example bodies for the OpenAPI document. */
final class Examples {

    static final String TASK_INPUT = """
            {"handler": "send-invoice", "queue": "mail", "parameters": {"invoice": 1234}, "priority": 10, "maxAttempts": 5,
             "timeout": "PT30S", "uniqueKey": "invoice-1234", "uniqueFor": "PT1H"}""";
    static final String TASK = """
            {"id": "k9x2m4", "name": "send-invoice", "queue": "mail", "handler": "send-invoice", "parameters": {"invoice": 1234},
             "status": "Waiting", "message": null, "priority": 10, "runAt": "2026-11-28T18:00:00Z", "attempts": 0,
             "maxAttempts": 5, "owner": null, "leaseUntil": null, "dateCreated": "2026-11-28T18:00:00Z",
             "dateModified": "2026-11-28T18:00:00Z", "startedAt": null, "finishedAt": null,
             "author": "admin", "timeout": "PT30S", "uniqueKey": "invoice-1234", "failures": []}""";
    /** A task a cancel stopped before it ran. */
    static final String TASK_CANCELLED = """
            {"id": "k9x2m4", "name": "send-invoice", "queue": "mail", "handler": "send-invoice", "parameters": {"invoice": 1234},
             "status": "Cancelled", "message": "cancelled by admin", "priority": 10, "runAt": "2026-11-28T18:00:00Z", "attempts": 0,
             "maxAttempts": 5, "owner": null, "leaseUntil": null, "dateCreated": "2026-11-28T18:00:00Z",
             "dateModified": "2026-11-28T18:00:05Z", "startedAt": null, "finishedAt": "2026-11-28T18:00:05Z",
             "author": "admin", "timeout": null, "uniqueKey": null, "failures": []}""";
    /** A running task, as a cancel answers it while the cancel is under way. */
    static final String TASK_RUNNING = """
            {"id": "k9x2m4", "name": "send-invoice", "queue": "mail", "handler": "send-invoice", "parameters": {"invoice": 1234},
             "status": "InProgress", "message": null, "priority": 10, "runAt": "2026-11-28T18:00:00Z", "attempts": 1,
             "maxAttempts": 5, "owner": "node-1/mail", "leaseUntil": "2026-11-28T18:00:30Z", "dateCreated": "2026-11-28T18:00:00Z",
             "dateModified": "2026-11-28T18:00:00Z", "startedAt": "2026-11-28T18:00:00Z", "finishedAt": null,
             "author": "admin", "timeout": null, "uniqueKey": null, "failures": []}""";
    static final String BATCH_INPUT = """
            {"members": [{"handler": "import", "parameters": {"file": "a.csv"}}, {"handler": "import", "parameters": {"file": "b.csv"}}],
             "onComplete": {"handler": "import-report"}}""";
    static final String BATCH = """
            {"id": "b7q1m2", "total": 2, "completed": 1, "failed": 0, "cancelled": 0, "onComplete": "import-report",
             "createdAt": "2026-11-28T18:00:00Z", "finishedAt": null}""";
    static final String CHILDREN = """
            [{"id": "c3k8p0", "handler": "publish", "queue": "default", "on": "Completed", "pushedAt": "2026-11-28T18:00:02Z"},
             {"id": "c3k8p1", "handler": "alert", "queue": "default", "on": "Failed", "pushedAt": null}]""";
    static final String FOLLOWER_INPUT = """
            {"handler": "publish", "parameters": {"channel": "web"}}""";
    static final String FOLLOWER = """
            {"id": "c3k8p0", "handler": "publish", "queue": "default", "on": "Completed", "pushedAt": null}""";
    static final String NO_SUCH_BATCH = """
            {"type": "urn:kafru:problem:not-found", "title": "Not found", "status": 404, "detail": "no batch 'b7q1m2'",
             "instance": "/kafru/api/batches/b7q1m2", "invalidFields": null}""";
    static final String SCHEDULE_INPUT = """
            {"name": "nightly-report", "handler": "report", "cron": "0 0 2 * * ?", "timeZone": "Europe/Berlin",
             "parameters": {"format": "pdf"}}""";
    static final String SCHEDULE = """
            {"id": "s1", "name": "nightly-report", "queue": "default", "handler": "report", "parameters": {"format": "pdf"},
             "cronExpression": "0 0 2 * * ?", "timeZone": "Europe/Berlin", "status": "Enabled", "oneTime": false,
             "startSchedule": null, "untilSchedule": null, "nextSchedule": "2026-11-29T01:00:00Z",
             "dateCreated": "2026-11-28T18:00:00Z", "dateModified": "2026-11-28T18:00:00Z"}""";
    static final String AGENT = """
            {"id": "943401ac-a8d0-4074-a927-1e049a5fb90e", "name": "default", "kind": "Queue", "status": "Running",
             "server": "node-1", "parentId": null, "queueId": null, "command": "QueueGracefulShutdown",
             "commandIsExecuted": false, "author": "ops", "message": "deploying", "paused": false,
             "heartbeat": "2026-11-28T18:00:00Z", "dateCreated": "2026-11-28T17:00:00Z", "dateModified": "2026-11-28T18:00:00Z"}""";
    static final String COMMAND_INPUT = """
            {"command": "QueueGracefulShutdown", "message": "deploying", "author": "ops"}""";
    static final String INVALID = """
            {"type": "urn:kafru:problem:invalid-input", "title": "Invalid input", "status": 400,
             "detail": "priority must be a whole number from -1000000 to 1000000, not a string", "instance": "/kafru/api/tasks",
             "invalidFields": [{"name": "priority", "reason": "priority must be a whole number from -1000000 to 1000000, not a string"}]}""";
    static final String NOT_FOUND = """
            {"type": "urn:kafru:problem:not-found", "title": "Not found", "status": 404, "detail": "no task 'k9x2m4'",
             "instance": "/kafru/api/tasks/k9x2m4", "invalidFields": null}""";
    static final String CONFLICT = """
            {"type": "urn:kafru:problem:conflict", "title": "Conflict", "status": 409,
             "detail": "task 'k9x2m4' is Completed; only a task in Error can be retried", "instance": "/kafru/api/tasks/k9x2m4/retry",
             "invalidFields": null}""";
    static final String UNAUTHORIZED = """
            {"type": "urn:kafru:problem:unauthorized", "title": "Unauthorized", "status": 401,
             "detail": "log in with HTTP Basic as a user with role kafru-admin", "instance": "/kafru/api/tasks", "invalidFields": null}""";
    static final String FORBIDDEN = """
            {"type": "urn:kafru:problem:forbidden", "title": "Forbidden", "status": 403,
             "detail": "user 'viewer' may not change anything here: that needs role kafru-admin", "instance": "/kafru/api/tasks",
             "invalidFields": null}""";

    static final String CROSS_SITE = """
            {"type": "urn:kafru:problem:cross-site", "title": "Forbidden", "status": 403,
             "detail": "the Origin 'http://evil.example' is not this server (kafru.example:8080): kafru takes writes from a browser only from its own pages (list other origins in kafru.admin.allowed-origins)",
             "instance": "/kafru/api/queues/default/pause", "invalidFields": null}""";
    static final String TOO_MANY_LOGINS = """
            {"type": "urn:kafru:problem:too-many-logins", "title": "Too Many Requests", "status": 429,
             "detail": "too many failed logins for this user or from this address: logins are not checked for 4 s more (Retry-After); the right password works again after that",
             "instance": "/kafru/api/tasks", "invalidFields": null}""";

    private Examples() {
    }
}
