// Package journey runs customer journeys: it enrols customers, moves them
// from node to node, keeps their timers, and sends what the journeys say
// through an outbox.
//
// # The engine
//
// Engine is a log consumer. For each batch of the log it finds the events
// any published journey listens to (entry triggers, event waits, goals,
// exits, survey answers), resolves their customers from the identifier
// index (once identity resolution has applied the batch, so that a new
// visitor already has a profile), and in one state-store transaction,
// together with its checkpoint:
//
//   - ends the enrolments an exit event applies to, converts those whose
//     goal happened, and resumes those waiting for the event;
//   - enrols the customer in every live journey whose entry matches, if
//     the re-entry policy and the entry cap allow it.
//
// A customer walks nodes until one makes them wait: a wait (a duration, a
// local time of day, or an event with a timeout), a survey awaiting its
// answer, a holdout arm, or the end of the path while the goal can still
// count. Waiting is a row in the state store with a wake-up time; the
// timer loop (RunTimers, FireDue) fires every due row in batches, so
// timers survive restarts and late ones fire at once.
//
// Every move is recorded as a platform event in the log (journey.entered,
// journey.step, journey.converted, journey.exited) with an id derived from
// the enrolment and its step. The events are made durable before the
// transaction commits; if the commit fails the batch is redone and
// produces the same ids, which every consumer stores once. Splits pick an
// arm from a hash of the enrolment, so a replay picks the same arm.
//
// Expressions (entry conditions, branches, trait updates) use expr-lang
// and see the profile, the trigger event, the journey and the time; see
// touchpoint.ExpressionEnv. They are compiled when a journey is saved and
// again when a version is loaded.
//
// # The outbox
//
// Messages are not sent inside the engine's transaction: a step writes a
// Delivery to the outbox under its idempotency key (enrolment and step),
// so a step repeated after a crash finds it there. The Dispatcher sends
// due deliveries: at send time it applies the rules that hold across
// journeys (consent and opt-in per channel, suppression lists, quiet hours
// in the customer's timezone, one contact budget across every channel and
// journey), renders the templates, marks the delivery sending, calls the
// channel and records the outcome. Failures are retried with backoff and
// end, after the last attempt, in the dead state, visible through the API.
// A delivery found still sending at start was interrupted by a crash: it
// is sent again with the same idempotency key (see Dispatcher).
//
// Per-node counters (entered, passed by output, sent, delivered, failed,
// skipped, converted) are added in the same transactions as the moves and
// sends they count; JourneyStats reads them with the customers waiting at
// each node and the goal conversion of each split arm against its holdout
// (SplitConversion, a two-proportion z-test).
package journey
