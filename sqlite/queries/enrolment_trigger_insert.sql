INSERT INTO enrolment_triggers (id, trigger) VALUES (?, ?) ON CONFLICT (id) DO NOTHING
