// Package bench measures Touchpoint the way clients use it: real HTTP
// requests over loopback against a real server, durable acknowledgements
// only. `touchpoint bench ingest` runs it; docs/PERFORMANCE.md records what
// it printed.
//
// Analytics is measured below the HTTP layer, on the warehouse the API
// calls: `touchpoint bench analytics` writes a synthetic history of ten
// million events straight into a DuckDB file (GenerateAnalyticsData) and
// times the funnels, paths, journey map and retention grid the performance
// targets name.
package bench
