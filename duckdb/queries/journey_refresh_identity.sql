DELETE FROM journey_identity s USING jr_ids i WHERE s.workspace = i.workspace AND s.kind = i.kind AND s.value = i.value
