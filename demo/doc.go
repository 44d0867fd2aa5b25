// Package demo generates Touchpoint's demo data set: a realistic,
// deterministic multi-channel history of an online and high-street retailer.
//
// Customers browse anonymously, sign up and later log in on a second
// device; they search, view, add to cart and buy on the web and in the app,
// get and click campaign emails, visit stores, call the call centre, open
// support tickets, and answer NPS, CSAT and CES surveys with comments in
// English, Vietnamese, Thai and Persian. Bad experiences (late deliveries,
// long waits, unresolved tickets, refunds) lower their scores and make them
// likelier to churn, and churners simply go quiet: nothing labels them, so
// analytics has to find them the way it would in real data.
//
// The same Config always yields the same events in the same order.
package demo
