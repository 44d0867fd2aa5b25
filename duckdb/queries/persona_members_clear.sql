-- Every discovered persona's members, before a new run's are copied.
DELETE FROM segment_members WHERE segment_id LIKE 'prs\_%' ESCAPE '\'
