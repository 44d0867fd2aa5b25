// Package touchpoint holds the domain of Touchpoint, an open-source customer
// experience management platform: the types every layer shares (events,
// workspaces, sources, keys), their validation, the service interfaces the
// stores implement, and the small set of error codes the whole system speaks.
//
// Events arrive through the Segment-compatible collection API (see
// ParseCall and ParseBatch), are appended durably to the log, and are read by
// consumers that keep the state store and the analytics store up to date.
// Packages below this one each wrap one technology:
//
//	log/      the event log on NATS JetStream
//	sqlite/   the state store (workspaces, sources, keys)
//	duckdb/   the analytics store (events for queries)
//	httpapi/  the collection API, the admin API and its Go client
//	importer/ NDJSON and CSV history import
//	survey/   survey delivery: invitations, fatigue rules, answers, the
//	          hosted page, email block and website widget
//	feedback/ the feedback engine, inbound webhook mapping, CSV import
//	demo/     the deterministic demo data set
//	journey/  the journey engine and the outbox dispatcher
//	channel/  email, SMS, webhook and in-app senders
//
// Voice of the customer lives in survey.go (surveys, questions, invitations,
// responses), feedback.go (feedback from every source, inbound webhooks) and
// metric.go (NPS, CSAT, CES and response rate, with their margins of error).
// segment.go defines segments (conditions combined with and, or and not),
// their membership, destinations and personas; the segment package keeps
// membership up to date.
package touchpoint
