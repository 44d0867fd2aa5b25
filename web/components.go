package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/httpapi"
)

// funcs are the helpers every template may use. Components (charts,
// tables, empty states, date ranges) are templates in components.html that
// take the values these helpers build.
var funcs = template.FuncMap{
	"num":      formatNum,
	"money":    func(f float64) string { return formatMoney(f) },
	"date":     func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
	"datetime": func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
	"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"ago":      func(t time.Time) string { return ago(time.Now(), t) },
	"pretty":   prettyJSON,
	"value":    jsonValue,
	"empty":    func(title, text, href, action string) Empty { return Empty{title, text, href, action} },
	"chart":    func(id, kind, title string) Chart { return Chart{ID: id, Kind: kind, Title: title} },
	"deref":    func(p *time.Time) time.Time { return *p },
	"join":     strings.Join,
	"lower":    strings.ToLower,
	"title":    titleCase,
	"roleInfo": roleInfo,
	"perm":     permLabel,
	"roles":    touchpoint.Roles,
	"list": func(items ...any) []any {
		return items
	},
	"has": func(q url.Values, k string) bool { return q.Get(k) != "" },
	// Voice of the customer: survey statuses, kinds, languages, figures.
	"statusBadge":  statusBadge,
	"kindLabel":    func(t touchpoint.SurveyType) string { return kindLabel(string(t)) },
	"langName":     languageName,
	"pct":          func(f *float64) string { return formatPct(f) },
	"anyResponses": anyResponses,
	"inbox":        inboxLink,
	// Analytics helpers: durations in seconds, shares, heat classes,
	// activity names and key-value arguments for sub-templates.
	"duration": duration,
	"percent":  percent,
	"seconds":  secondsPtr,
	"heat":     heat,
	"number":   number,
	"activity": activityLabel,
	"fval": func(p *float64) float64 {
		if p == nil {
			return 0
		}
		return *p
	},
	"args": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"add":         func(a, b int) int { return a + b },
	"windowLabel": windowLabel,
	"initial": func(s string) string {
		for _, r := range strings.TrimSpace(s) {
			return strings.ToUpper(string(r))
		}
		return "?"
	},
}

// Empty is an empty state: what is missing and what to do about it.
type Empty struct {
	Title, Text, Href, Action string
}

// Chart places a chart; its data is the JSON block the page embeds with id
// "chart-data", read by static/app.js, which draws it with ECharts.
type Chart struct {
	ID, Kind, Title string
}

// DateRange is the period a page shows, with presets to pick from.
type DateRange struct {
	From, To time.Time // [From, To)
	Presets  []Preset
	// Custom is set when the period is not one of the presets.
	Custom bool
	// Keep are other parameters of the page that picking a period keeps.
	Keep []KeyValue
}

// Preset is a quick choice of the date-range picker.
type Preset struct {
	Label, Href string
	Active      bool
}

// FromDate and ToDate are the picker's inputs (To is the last day shown).
func (d DateRange) FromDate() string { return d.From.UTC().Format(time.DateOnly) }

// ToDate is the last day of the period.
func (d DateRange) ToDate() string { return d.To.Add(-time.Nanosecond).UTC().Format(time.DateOnly) }

// Days is the number of days the period covers.
func (d DateRange) Days() int { return int(d.To.Sub(d.From).Hours() / 24) }

// dateRange reads ?from=&to= (dates) with a default of the last 30 days.
func dateRange(r *http.Request, now time.Time) (DateRange, touchpoint.OverviewFilter, error) {
	f, err := httpapi.OverviewPeriod(r, now)
	if err != nil {
		return DateRange{}, f, err
	}
	dr := DateRange{From: f.From, To: f.To, Custom: true}
	end := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	for _, days := range []int{7, 30, 90, 365} {
		from := end.Add(-time.Duration(days) * 24 * time.Hour)
		q := url.Values{"from": {from.Format(time.DateOnly)}, "to": {end.Add(-time.Hour).Format(time.DateOnly)}}
		active := f.From.Equal(from) && f.To.Equal(end)
		if active {
			dr.Custom = false
		}
		label := fmt.Sprintf("%d days", days)
		if days == 365 {
			label = "12 months"
		}
		dr.Presets = append(dr.Presets, Preset{Label: label, Href: r.URL.Path + "?" + q.Encode(), Active: active})
	}
	return dr, f, nil
}

func formatNum(v any) string {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case uint64:
		n = int64(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(v)
	}
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatPct prints a percentage ("42%"), or "–" when there is none.
func formatPct(f *float64) string {
	if f == nil {
		return "–"
	}
	return strconv.FormatFloat(*f, 'f', 0, 64) + "%"
}

func formatMoney(f float64) string {
	whole := int64(f)
	cents := int64((f-float64(whole))*100 + 0.5)
	if cents == 100 {
		whole, cents = whole+1, 0
	}
	return fmt.Sprintf("%s.%02d", formatNum(whole), cents)
}

// prettyJSON indents JSON for reading; anything else is returned as is.
// The result is text: templates escape it like any other.
func prettyJSON(v any) string {
	var raw []byte
	switch x := v.(type) {
	case json.RawMessage:
		raw = x
	case []byte:
		raw = x
	case string:
		raw = []byte(x)
	default:
		// Keep <, > and & as they are: the template escapes them for
		// HTML, and \u003c would only confuse the reader.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			return fmt.Sprint(v)
		}
		return strings.TrimRight(buf.String(), "\n")
	}
	var buf bytes.Buffer
	if json.Indent(&buf, raw, "", "  ") != nil {
		return string(raw)
	}
	return buf.String()
}

// jsonValue shows one JSON value (a trait) as text: strings without their
// quotes, everything else as JSON.
func jsonValue(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

func titleCase(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// sortedKeys returns a map's keys in order, for stable tables.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// RoleInfo explains a role in the users page.
type RoleInfo struct {
	Role        touchpoint.Role
	Summary     string
	Permissions []touchpoint.Permission
}

var roleSummaries = map[touchpoint.Role]string{
	touchpoint.RoleOwner:    "Everything, including making and removing other owners.",
	touchpoint.RoleAdmin:    "Everything but owners: sources, users, settings, keys.",
	touchpoint.RoleAnalyst:  "Reads events, profiles and analytics; builds segments.",
	touchpoint.RoleMarketer: "Analytics, surveys, segments, journeys and messages.",
	touchpoint.RoleSupport:  "Profiles, feedback and cases: works with customers.",
	touchpoint.RoleViewer:   "Reads the overview, analytics and feedback; no personal data.",
}

func roleInfo() []RoleInfo {
	var out []RoleInfo
	for _, r := range touchpoint.Roles() {
		out = append(out, RoleInfo{Role: r, Summary: roleSummaries[r], Permissions: r.Permissions()})
	}
	return out
}

var permLabels = map[touchpoint.Permission]string{
	touchpoint.PermOverviewRead:   "Overview",
	touchpoint.PermEventsRead:     "Events",
	touchpoint.PermProfilesRead:   "Profiles",
	touchpoint.PermProfilesWrite:  "Unmerge & identity rules",
	touchpoint.PermSourcesManage:  "Sources & keys",
	touchpoint.PermAnalyticsRead:  "Analytics",
	touchpoint.PermFeedbackRead:   "Feedback",
	touchpoint.PermSurveysWrite:   "Surveys",
	touchpoint.PermSegmentsWrite:  "Segments",
	touchpoint.PermJourneysWrite:  "Journeys",
	touchpoint.PermMessagesSend:   "Messages",
	touchpoint.PermCasesRead:      "Cases (read)",
	touchpoint.PermCasesWrite:     "Cases (work)",
	touchpoint.PermUsersManage:    "Users",
	touchpoint.PermWorkspaceAdmin: "Settings",
	touchpoint.PermPrivacyManage:  "Privacy",
}

func permLabel(p touchpoint.Permission) string {
	if l, ok := permLabels[p]; ok {
		return l
	}
	return string(p)
}
