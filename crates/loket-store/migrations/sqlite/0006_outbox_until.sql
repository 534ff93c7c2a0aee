-- The date a mail states ("reply before ..."), taken from the change that
-- queued it, not from the ticket as it is when the mail is sent.
ALTER TABLE outbox ADD COLUMN postponed_until TEXT;
