-- Where each refresh token of a session family was issued (login or refresh), so that users can tell their sessions
-- apart when they list them (ASVS 7.5.2). Informational only: no decision is taken on these values.
ALTER TABLE sessions ADD COLUMN user_agent varchar(300), ADD COLUMN client_address varchar(64);
