-- +goose Up
-- Lists an account's members without scanning every membership.
CREATE INDEX account_members_account ON account_members (workspace, account_id);
