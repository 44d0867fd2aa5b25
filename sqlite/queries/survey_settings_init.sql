-- A workspace's settings row is made on first use with the defaults and a
-- new signing key; later calls keep what is there.
INSERT INTO survey_settings (workspace, cooldown_days, secret, updated_at)
VALUES (:workspace, :cooldown_days, :secret, :updated_at)
ON CONFLICT (workspace) DO NOTHING
