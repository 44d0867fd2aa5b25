// Package web is Touchpoint's dashboard: the web app a CX team works in.
//
// Pages are rendered on the server with html/template, which escapes every
// value it prints, so customer data (event properties, traits, comments) is
// always shown as text. A small script (static/app.js) adds what needs a
// browser: charts drawn with ECharts from JSON the page embeds, sorting,
// filtering and CSV export of tables, the live event stream, and buttons and
// forms that call the admin API. htmx swaps parts of a page for search as
// you type. No script is inline and the content security policy allows
// none; every file is embedded in the binary and nothing is fetched from
// elsewhere.
//
// # Adding a page
//
// A page is a [Page]: a section and title for the navigation, a path, the
// permission a role needs, a template and a Load function that fills
// [View].Data. Write a method that returns a feature's pages, name it in
// allPages, and add its template to templates/:
//
//	func (d *Dashboard) surveyPages() []*Page {
//		return []*Page{{
//			Section: "Insights", Title: "Surveys", Path: "/surveys", Nav: true, Icon: "survey",
//			Permission: touchpoint.PermFeedbackRead, Template: "surveys.html", Load: d.loadSurveys,
//		}}
//	}
//
// The dashboard checks the permission before Load runs (a viewer without it
// gets a 403 page), lists the page in the navigation of those who may open
// it, and renders the template in the shared layout. Templates use the
// shared components of components.html: "chart", "empty", "daterange",
// "copy", "time", and tables marked data-table. Changes go through the
// admin API from the page (data-api attributes), so the server checks the
// role there too. docs/DASHBOARD.md has the details.
//
// # Voice of the customer
//
// The surveys pages (surveys.go, survey_results.go) list surveys with their
// figures, build them with a live preview, and show their results; the
// feedback pages (feedback.go) are the inbox across sources and the setup of
// inbound webhooks and CSV imports. Metrics are computed with touchpoint's
// own arithmetic from the analytics store's score counts (metrics.go). The
// builder's preview is the hosted survey page itself, rendered by the survey
// package and served into a sandboxed iframe with the survey page's own
// security policy (handleSurveyPreview), since an iframe's srcdoc would
// inherit the dashboard's, which allows no inline style.
//
// # Analytics pages
//
// The Analytics section draws what the analytics service answers: the
// journey map, funnels, paths, retention, key drivers and predictions.
// Each page is a GET form whose choices live in the address; Load runs the
// analysis and the template draws it, with charts registered by
// static/analytics.js. A refused request is shown under the form in the
// service's words. The journey map is laid out by [LayoutGraph], a layered
// left-to-right layout that breaks cycles, orders layers against crossings
// and routes long edges through bends, so a person can read it.
//
// # Sessions
//
// People sign in with email and password (argon2id hashes). A session is a
// random token in an HTTP-only, SameSite=Lax cookie (Secure over HTTPS and
// on this machine); only its hash is stored. Every request that changes
// something carries the session's CSRF token and must come from this site.
// Failed sign-ins are throttled per email address and per network address.
// [Dashboard.SessionActor] lets the admin API accept the same session.
package web
