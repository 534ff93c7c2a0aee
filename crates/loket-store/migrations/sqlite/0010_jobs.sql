-- Queued jobs: claimed with a lease, finished only by their claim, retried
-- with backoff; probe counts for `loket jobs probe`.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT UNIQUE,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'due',
    attempts INTEGER NOT NULL DEFAULT 0,
    run_at TEXT NOT NULL,
    lease_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX jobs_due ON jobs(run_at) WHERE state = 'due';
CREATE INDEX jobs_leased ON jobs(lease_until) WHERE state = 'running';
CREATE INDEX jobs_state ON jobs(state, id);
CREATE TABLE job_probes (
    job_id INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
    runs INTEGER NOT NULL
);
