DELETE FROM journey_answers j USING (
    SELECT p.workspace, p.pnum FROM journey_profiles p SEMI JOIN jr_profiles d ON d.workspace = p.workspace AND d.profile_id = p.profile_id
) d WHERE j.workspace = d.workspace AND j.pnum = d.pnum
