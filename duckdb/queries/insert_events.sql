-- Run by the table appender over each batch (appended_data); rows whose key
-- is already stored are skipped, which makes replays harmless.
INSERT OR IGNORE INTO events SELECT * FROM appended_data
