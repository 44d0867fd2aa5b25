SELECT node_id, metric, n FROM journey_counters WHERE workspace = ? AND journey_id = ? AND version = ?
