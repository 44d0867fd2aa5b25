// Package feedback gathers what customers say from every source into one
// store of feedback items, and keeps the facts CX metrics are computed from.
//
// The Engine is a log consumer. Every Survey Responded event (from
// Touchpoint's own surveys, and from any source that sends one) and every
// Feedback Received event (from inbound webhooks and CSV imports) becomes a
// feedback item: its text is analysed by a touchpoint.TextAnalyzer for
// language, sentiment and topics; it is attributed to the touchpoint that
// preceded it; and it is written both to the state store (the inbox) and
// to the analytics store (metrics), each with its checkpoint in the same
// transaction.
//
// The touchpoint is the one the survey or sender named, else the customer's
// last event before the feedback, read from the analytics store through
// profile_events once that store has applied the batch. Reading it there
// rather than tracking events as they pass costs one query per batch
// instead of a write per event, sees anonymous browsing that identity
// resolution later tied to the customer, and needs no state of its own.
//
// Inbound webhooks (HookEvents) read another system's JSON through a
// mapping of JSON paths (internal/jsonpath): where the text, score,
// customer and times are. Calls are authenticated per hook (Authenticate):
// a shared secret, or an HMAC-SHA256 signature of the body. CSV imports
// (CSVEvents) use the same mapping with column names. Both only append
// events to the log; identity resolution links them to profiles, and the
// engine makes the items, so a replayed call or file adds nothing.
package feedback
