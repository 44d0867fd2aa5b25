-- Every segment's members, before they are copied again; personas' stay.
DELETE FROM segment_members WHERE segment_id LIKE 'seg\_%' ESCAPE '\'
