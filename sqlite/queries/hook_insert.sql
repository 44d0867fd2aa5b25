INSERT INTO feedback_hooks (id, workspace, name, body, secret, created_at, updated_at)
VALUES (:id, :workspace, :name, :body, :secret, :created_at, :updated_at)
