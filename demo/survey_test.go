package demo_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/demo"
)

// Every survey the demo's customers answer has a definition, which is valid.
func TestSurveys(t *testing.T) {
	defined := map[string]touchpoint.SurveyType{}
	for _, sv := range demo.Surveys("default") {
		sv.Normalize()
		if err := sv.Validate(); err != nil {
			t.Fatalf("%s: %v", sv.ID, err)
		}
		defined[sv.ID] = sv.Type
	}
	answered := map[string]bool{}
	_, err := demo.Generate(demo.Config{Seed: 3, Customers: 300, Days: 60, End: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Workspace: "default"},
		func(ev touchpoint.Event) error {
			if ev.Event != touchpoint.EventSurveyResponded {
				return nil
			}
			var p struct {
				SurveyID   string `json:"survey_id"`
				SurveyType string `json:"survey_type"`
			}
			json.Unmarshal(ev.Properties, &p)
			if typ, ok := defined[p.SurveyID]; !ok || string(typ) != p.SurveyType {
				t.Fatalf("answer to %s (%s) has no matching definition", p.SurveyID, p.SurveyType)
			}
			answered[p.SurveyID] = true
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(answered) < 4 {
		t.Fatalf("only %d surveys answered", len(answered))
	}
}
