-- Client addresses each account logged in from successfully, with the latest such login (ASVS 6.1.1). The login
-- throttle lets an address known for an account within Auth:KnownAddressDays (30) past the account-wide failure limit,
-- so that failing on purpose from elsewhere cannot lock the owner out. Unlike the failure counters (in memory), this
-- must survive restarts and be shared by instances: an instance that forgot it, or never saw the login, would lock the
-- owner out with everyone else. Rows older than the allowance are deleted at the account's next login.
CREATE TABLE known_login_addresses (
    user_id        integer NOT NULL REFERENCES users ON DELETE CASCADE,
    client_address varchar(64) NOT NULL,
    last_login_at  timestamptz NOT NULL,
    PRIMARY KEY (user_id, client_address)
);
