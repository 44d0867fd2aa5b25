// Package channel sends journey messages: email over SMTP, SMS through an
// HTTP gateway, signed webhooks, and in-app messages for the web widget.
// Each is a Sender registered by name in a Registry; the journey
// dispatcher renders a Message and hands it to the sender of its channel.
//
// Senders report failures as errors. By default an error is retried with
// backoff; Abort marks one that retrying cannot fix (an address the SMTP
// server refuses, a 4xx from a webhook), and Retry can ask for a pause.
//
// Every message carries the idempotency key of the journey step that sent
// it, and every channel passes the key on: the email's Message-ID is made
// from it, webhooks and SMS gateways get it as the Idempotency-Key header,
// and in-app messages are stored under it. A send repeated after a crash
// can so be recognised by whoever receives it.
package channel
