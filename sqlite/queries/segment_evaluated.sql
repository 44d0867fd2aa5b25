UPDATE segments SET evaluated_version = max(evaluated_version, :version)
WHERE workspace = :workspace AND id = :segment AND version >= :version
