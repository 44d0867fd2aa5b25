// Package survey delivers surveys to customers and takes their answers.
//
// A customer is asked through an invitation: a personal link
// (/s/{token}), the first question embedded in an email, the website
// widget, or an app. Before an invitation is made, the fatigue rules are
// checked in the same transaction that stores it (CheckFatigue): the
// workspace's cooldown between any two asks of one customer, and the
// survey's own recontact rules (retry after no answer, at most so many
// asks, recurring surveys every N days). Every invitation is recorded in
// the log as a survey.sent event, which is what response rates count.
//
// Tokens are the invitation id signed with the workspace's secret (Sign,
// Verify). A token leads to a Session; Answer records answers as they come
// (partial responses are kept), drops follow-ups an answer no longer leads
// to, judges the response's quality (speeders, straight-liners, duplicates,
// gibberish) and appends a Survey Responded event with the response's
// whole state, so profiles, analytics and journeys see every answer. A
// complete response never changes again: the link is single-use.
//
// The customer-facing parts are here too, apart from the dashboard: the
// hosted page's templates (RenderPage, QuestionPage), the email block
// (EmailBlock) and the widget's script (WidgetJS). All of them escape
// everything a survey author or respondent wrote; the page runs under a
// strict Content-Security-Policy with a per-response nonce, and the widget
// builds its DOM from text nodes inside a shadow root.
package survey
