// Package bench measures Touchpoint the way clients use it: real HTTP
// requests over loopback against a real server, durable acknowledgements
// only. `touchpoint bench ingest` runs it; docs/PERFORMANCE.md records what
// it printed.
package bench
