-- Staff sign-in for the agent workspace: a password, an optional TOTP
-- secret with one-time recovery codes, sessions of their own (never the
-- portal's), and the roles that must use TOTP.
ALTER TABLE staff ADD COLUMN password_hash TEXT;
ALTER TABLE staff ADD COLUMN totp_secret TEXT;
-- The last TOTP time step used, so a code works once.
ALTER TABLE staff ADD COLUMN totp_last_step BIGINT;
CREATE TABLE staff_recovery_codes (
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    code_sha256 TEXT NOT NULL,
    used_at TIMESTAMPTZ,
    PRIMARY KEY (staff_id, code_sha256)
);
CREATE TABLE staff_sessions (
    id_sha256 TEXT PRIMARY KEY,
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    -- 'password' (a TOTP code or enrolment still to come) or 'signed_in'
    stage TEXT NOT NULL,
    -- A TOTP secret being enrolled, until its first code confirms it.
    pending_secret TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions(staff_id);
CREATE TABLE totp_roles (
    role TEXT PRIMARY KEY
);
-- Work queues read open tickets per department, oldest first; the overview
-- counts open tickets from the index alone.
CREATE INDEX tickets_open_department ON tickets(department, id) WHERE status <> 'resolved';
CREATE INDEX tickets_open_counts ON tickets(department, status, urgent, assignee_id) WHERE status <> 'resolved';
