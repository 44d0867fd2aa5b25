UPDATE surveys SET name = :name, type = :type, status = :status, widget = :widget, definition = :definition,
       version = :version, updated_at = :updated_at
WHERE workspace = :workspace AND id = :id AND version = :version - 1
