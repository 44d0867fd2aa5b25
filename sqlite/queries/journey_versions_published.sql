SELECT v.workspace, v.journey_id, v.version, v.definition, v.published_at, v.published_by
FROM journey_versions v JOIN journeys j ON j.workspace = v.workspace AND j.id = v.journey_id
WHERE j.active_version > 0
