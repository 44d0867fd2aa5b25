// Package segment keeps segment membership up to date, discovers personas
// and syncs segments to outside tools.
//
// A segment is a definition (touchpoint.Segment): conditions on traits,
// computed traits, events in windows, feedback, journey state, accounts,
// consent and other segments, combined with and, or and not. Compile turns
// a definition into a Plan, whose leaves read either facts about a
// customer's events or the customer's profile data. The plan has two
// evaluators that agree by construction (tests check they do):
//
//   - the analytics store compiles it to one SQL query over profile_events,
//     profile_traits and profile_feedback, for estimates and checks over
//     everyone at once (duckdb.EstimateSegment, duckdb.EvaluateSegment);
//   - the Engine evaluates it in memory, one customer at a time.
//
// The Engine is a log consumer. It keeps, per profile row, only the facts
// live plans read: for "did X at least n times in the last d days" the n
// latest X events (the count is at least n exactly when the n-th latest is
// in the window, whatever the window), for "latest NPS", "in journey J" or
// "consent for email" the latest matching event and its value, for "first
// seen" the earliest. Each event updates the facts of the row it belongs to
// (attributed as profile_events attributes it: the row of its user id,
// else of its anonymous id, which the engine follows from identity
// resolution's change feed) and the profiles whose facts changed are
// evaluated again. Conditions on traits, computed counts and accounts are
// decided from the state store, read in bulk and only for profiles whose
// answer depends on them (three-valued evaluation). A sweep evaluates again
// the profiles whose events time moved out of (or into) a window, so "did
// not open the app in 14 days" becomes true with no event.
//
// Each pass (a log batch, a sweep, a definition change) commits, in one
// state-store transaction: membership changes, their history, daily sizes,
// the segment.entered and segment.exited events (an outbox, appended to the
// log after the commit), deliveries to destinations and the checkpoint.
// Event ids are derived from the segment, the profile and the pass number,
// so events re-appended after a crash are stored once. On start the engine
// rebuilds its facts from the analytics store's events up to its
// checkpoint, so a restart changes no membership. The analytics store also
// holds a copy of membership (segment_members) for analyses to join.
//
// Personas clusters customers (k-means on standardised activity, value,
// channel mix and CX scores, k chosen by silhouette) and describes what
// sets each cluster apart; manual personas are segments marked as such.
//
// DestinationService and Sender sync segments to webhooks: a full sync of
// members, then the changes of every pass, signed with HMAC-SHA256 and
// retried with backoff, through a client that refuses private addresses
// unless their host is allowed.
package segment
