-- Queued jobs: claimed with a lease, finished only by their claim, retried
-- with backoff; probe counts for `loket jobs probe`.
CREATE TABLE jobs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT UNIQUE,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'due',
    attempts BIGINT NOT NULL DEFAULT 0,
    run_at TIMESTAMPTZ NOT NULL,
    lease_until TIMESTAMPTZ,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);
CREATE INDEX jobs_due ON jobs(run_at) WHERE state = 'due';
CREATE INDEX jobs_leased ON jobs(lease_until) WHERE state = 'running';
CREATE INDEX jobs_state ON jobs(state, id);
CREATE TABLE job_probes (
    job_id BIGINT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
    runs BIGINT NOT NULL
);
