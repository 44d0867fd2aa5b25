// Package httpapi serves Touchpoint over HTTP: the Segment-compatible
// collection API under /v1/, the admin API under /api/v1/ (described by the
// OpenAPI document at /api/v1/openapi.json), and the health, readiness and
// Prometheus endpoints. It also holds the Go client the CLI and the tests use.
//
// Handlers return errors; one adapter renders them as
// {"error":{"code":…,"message":…}} with the status code for the error's code.
// This package is the only one that knows HTTP status codes.
package httpapi
