package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/httpapi"
	"github.com/touchpoint-cx/touchpoint/survey"
)

func TestSurveyPageRateLimit(t *testing.T) {
	s := httpapi.NewServer(httpapi.Config{Delivery: &survey.Service{}})
	var last *httptest.ResponseRecorder
	for i := 0; i < 45; i++ {
		last = httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/s/not-a-token", nil)
		req.RemoteAddr = "203.0.113.7:5000"
		s.Handler().ServeHTTP(last, req)
		if i == 0 && (last.Code != http.StatusNotFound || !strings.Contains(last.Body.String(), "not valid") || !strings.Contains(last.Header().Get("Content-Security-Policy"), "default-src 'none'")) {
			t.Fatalf("first request: %d %v\n%s", last.Code, last.Header(), last.Body.String())
		}
	}
	if last.Code != http.StatusTooManyRequests || last.Header().Get("Retry-After") == "" {
		t.Fatalf("45 requests in a burst: %d %v", last.Code, last.Header())
	}
	other := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/s/not-a-token", nil)
	req.RemoteAddr = "198.51.100.1:5000"
	s.Handler().ServeHTTP(other, req)
	if other.Code != http.StatusNotFound {
		t.Fatalf("another client is limited separately: %d", other.Code)
	}
}

func TestWidgetCORS(t *testing.T) {
	s := httpapi.NewServer(httpapi.Config{})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodOptions, "/survey/v1/answers", nil)
	req.Header.Set("Origin", "https://shop.example")
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("preflight %d %v", rec.Code, rec.Header())
	}
	// The admin API and survey pages are not for other origins.
	for _, path := range []string{"/api/v1/surveys", "/s/x", "/hooks/x"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodOptions, path, nil)
		req.Header.Set("Origin", "https://shop.example")
		s.Handler().ServeHTTP(rec, req)
		if rec.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("%s allows other origins", path)
		}
	}
	js := httptest.NewRecorder()
	s.Handler().ServeHTTP(js, httptest.NewRequest(http.MethodGet, "/survey/v1/widget.js", nil))
	if js.Code != 200 || !strings.HasPrefix(js.Header().Get("Content-Type"), "text/javascript") || !strings.Contains(js.Body.String(), "Touchpoint") {
		t.Fatalf("widget.js %d %v", js.Code, js.Header())
	}
}

func TestDecodeWidgetRequest(t *testing.T) {
	for _, tt := range []struct {
		body  string
		field string
		code  string
	}{
		{`{"write_key":"wk","token":"t","answers":[{"question_id":"score","score":9}]}`, "", ""},
		{`{"write_key":"wk","answers":[{"score":9}]}`, "answers[0].question_id", "invalid"},
		{`{"write_key":"wk","colour":"red"}`, "", "invalid"},
		{`{"user_id":"` + strings.Repeat("x", 600) + `"}`, "user_id", "invalid"},
		{`[1]`, "", "invalid"},
	} {
		_, err := httpapi.DecodeWidgetRequest([]byte(tt.body))
		if touchpoint.ErrorField(err) != tt.field || touchpoint.ErrorCode(err) != tt.code {
			t.Errorf("%.40s: %v", tt.body, err)
		}
	}
}

// FuzzDecodeWidgetRequest: no body an app or a bot sends makes decoding
// panic, and what decodes has answers naming their questions.
func FuzzDecodeWidgetRequest(f *testing.F) {
	for _, s := range []string{
		`{"write_key":"wk","token":"inv_x.y","answers":[{"question_id":"score","score":9},{"question_id":"why","choices":["a"]}]}`,
		`{"survey_id":"srv_1","user_id":"u1","answers":[{"question_id":"reason","text":"ok","skipped":false}]}`,
		`{"answers":[{"question_id":"score","score":1e400}]}`, `{"answers":null}`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := httpapi.DecodeWidgetRequest(body)
		if err != nil {
			return
		}
		for _, a := range req.Answers {
			if a.QuestionID == "" || !a.At.IsZero() {
				t.Fatalf("answer %+v", a)
			}
		}
		if _, err := json.Marshal(req.Answers); err != nil {
			t.Fatal(err)
		}
	})
}

// The metric routes check their parameters before querying, and say
// which one is wrong; a segment needs the segments engine.
func TestMetricParams(t *testing.T) {
	s := httpapi.NewServer(httpapi.Config{LocalKey: "tpl_test"})
	for _, tt := range []struct {
		path   string
		status int
		field  string
	}{
		{"/api/v1/metrics/nps?segment_id=seg_1", 503, ""},
		{"/api/v1/metrics/nps/breakdown?by=colour", 400, "by"},
		{"/api/v1/metrics/nps/breakdown", 400, "by"},
		{"/api/v1/metrics/csat/series?interval=fortnight", 400, "interval"},
		{"/api/v1/metrics/ces?exclude_flags=bot", 400, "exclude_flags"},
		{"/api/v1/metrics/nps?from=yesterday", 400, "from"},
		{"/api/v1/metrics/response-rate?from=2026-11-02&to=2026-11-01", 400, "from"},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, tt.path, nil)
		req.Header.Set("Authorization", "Bearer tpl_test")
		s.Handler().ServeHTTP(rec, req)
		var body struct{ Error touchpoint.Error }
		json.Unmarshal(rec.Body.Bytes(), &body)
		if rec.Code != tt.status || body.Error.Field != tt.field {
			t.Errorf("%s: %d %s", tt.path, rec.Code, rec.Body.String())
		}
	}
}
