-- What each sample's customer did, and on which channels, in the days
-- before it.
SELECT DISTINCT s.key::VARCHAR, e.act, e.channel
FROM dr_samples s
JOIN journey_events e ON e.workspace = s.workspace AND e.pnum = s.pnum AND e.t < s.t AND e.t >= s.t - $lookback
