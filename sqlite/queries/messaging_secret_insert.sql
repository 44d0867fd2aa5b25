INSERT INTO messaging_secrets (workspace, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (workspace) DO NOTHING
