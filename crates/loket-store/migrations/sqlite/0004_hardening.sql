-- API tokens can expire and be revoked.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;
-- A mail too large to load waits in quarantine with only its header section in
-- `raw`; its complete bytes, when Loket holds them, are in the blob store.
ALTER TABLE mail_receipts ADD COLUMN raw_blob TEXT;
ALTER TABLE mail_receipts ADD COLUMN size INTEGER;
CREATE INDEX mail_receipts_raw_blob ON mail_receipts(raw_blob) WHERE raw_blob IS NOT NULL;
-- A password reset ends the contact's sessions and spends their other links.
CREATE INDEX sessions_contact ON sessions(contact_id);
CREATE INDEX access_tokens_contact ON access_tokens(contact_id) WHERE used_at IS NULL;
-- Who sent a stored mail: a Message-ID counts as seen before only from the same
-- sender (or as the same bytes). The message a mail made: removing it for good
-- empties the raw mail.
ALTER TABLE mail_receipts ADD COLUMN sender TEXT;
ALTER TABLE mail_receipts ADD COLUMN message_row INTEGER;
CREATE INDEX mail_receipts_message_row ON mail_receipts(message_row) WHERE message_row IS NOT NULL;
CREATE INDEX mail_receipts_raw_sha ON mail_receipts(raw_sha256) WHERE state = 'stored';
