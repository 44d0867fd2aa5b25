-- Writes the computed traits of many profiles at once: one (rowid, computed) group a row.
UPDATE profiles SET computed = v.column2 FROM (VALUES {rows}) AS v WHERE profiles.rowid = v.column1
