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
CREATE INDEX tickets_open_urgent ON tickets(urgent, id) WHERE status <> 'resolved';
CREATE INDEX tickets_open_requester ON tickets(requester_id, id) WHERE status <> 'resolved';
CREATE INDEX tickets_open_organisation ON tickets(organisation_id, id) WHERE status <> 'resolved';
-- Canned replies with placeholders, managed by admins; shipped with the
-- texts the procedure implies.
CREATE TABLE canned_replies (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
);
INSERT INTO canned_replies (title, body) VALUES ('Geen geautoriseerde contactpersoon', 'Beste {naam},

Dank u voor uw melding (ticket {ticketnummer}). U staat bij ons niet geregistreerd als geautoriseerde contactpersoon van uw organisatie. Volgens onze afspraken nemen wij meldingen in behandeling van de geautoriseerde contactpersonen. Wilt u uw vraag via een van hen laten indienen, of laten bevestigen dat u namens uw organisatie mag melden?

U kunt uw ticket volgen via {volglink}

Met vriendelijke groet,
Helpdesk');
INSERT INTO canned_replies (title, body) VALUES ('Meer informatie nodig', 'Beste {naam},

Om uw melding (ticket {ticketnummer}) goed te kunnen onderzoeken hebben wij meer informatie nodig:

- 

Wilt u vóór {beloofde_datum} reageren? Zonder reactie sluiten wij het ticket daarna automatisch. U kunt reageren op deze e-mail of via {volglink}

Met vriendelijke groet,
Helpdesk');
INSERT INTO canned_replies (title, body) VALUES ('Privacygevoelige gegevens ontvangen', 'Beste {naam},

In uw melding (ticket {ticketnummer}) hebben wij persoonsgegevens van cliënten aangetroffen. Wij hebben deze gegevens verwijderd. Wilt u in het vervolg alleen het cliëntnummer vermelden, persoonsgegevens uit spreadsheets en schermafdrukken weghalen, en gegevens die wij echt nodig hebben versturen via beveiligde e-mail (bijvoorbeeld Zivver of ZorgMail) of via de beveiligde bestandsuitwisseling?

Met vriendelijke groet,
Helpdesk');
INSERT INTO canned_replies (title, body) VALUES ('Op de wensenlijst geplaatst', 'Beste {naam},

Dank u voor uw suggestie (ticket {ticketnummer}). Omdat deze wens niet voor alle klanten geldt, hebben wij hem op de wensenlijst geplaatst. Wij nemen de wensenlijst mee in de planning van toekomstige versies en laten het u weten als uw wens wordt opgepakt.

Met vriendelijke groet,
Helpdesk');
INSERT INTO canned_replies (title, body) VALUES ('Gepland in een versie', 'Beste {naam},

De oplossing voor uw melding (ticket {ticketnummer}) is gepland in versie {versie}. Zodra deze versie is opgeleverd, ontvangt u bericht met een link naar de wijzigingsdocumentatie.

Met vriendelijke groet,
Helpdesk');
-- Who has a ticket open in the workspace, and whether they are typing a
-- reply: shared by every process, forgotten after a minute.
CREATE TABLE ticket_viewers (
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    typing BOOLEAN NOT NULL,
    seen_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (ticket_id, staff_id)
);
-- Merged tickets: the first one's messages and attachments moved to the
-- second, which keeps its number; the first answers with a pointer to it.
CREATE TABLE ticket_merges (
    from_ticket_id BIGINT PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
    into_ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    merged_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ticket_merges_into ON ticket_merges(into_ticket_id);
-- Senders whose mail goes to the quarantine: an address, or a whole domain
-- written as @domain.
CREATE TABLE banned_senders (
    pattern TEXT PRIMARY KEY,
    banned_at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL
);
-- How each IMAP mailbox is doing: its last good fetch and its last error.
CREATE TABLE mailbox_status (
    name TEXT PRIMARY KEY,
    last_ok_at TIMESTAMPTZ,
    last_error TEXT,
    last_error_at TIMESTAMPTZ
);
-- Links that let a new staff member set their workspace password (once).
CREATE TABLE staff_password_links (
    token_sha256 TEXT PRIMARY KEY,
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
