-- Stores the first computed traits of many profile rows: one (profile_id, computed) group a row.
INSERT INTO profile_computed (profile_id, computed) VALUES {rows}
