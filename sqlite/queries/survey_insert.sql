INSERT INTO surveys (id, workspace, name, type, status, widget, definition, version, created_at, updated_at)
VALUES (:id, :workspace, :name, :type, :status, :widget, :definition, :version, :created_at, :updated_at)
