package demo

import "github.com/touchpoint-cx/touchpoint"

// Surveys are the definitions of the surveys the data set's customers
// answer, with the ids their Survey Responded events carry, so the demo's
// surveys have results.
func Surveys(workspace string) []*touchpoint.Survey {
	mk := func(id, name string, t touchpoint.SurveyType, tp string, repeat int) *touchpoint.Survey {
		return &touchpoint.Survey{ID: id, Workspace: workspace, Name: name, Type: t, Status: touchpoint.SurveyActive, Touchpoint: tp,
			Recontact: touchpoint.Recontact{RepeatEveryDays: repeat}}
	}
	return []*touchpoint.Survey{
		mk("srv_nps_delivery", "Delivery NPS", touchpoint.SurveyNPS, "delivery", 30),
		mk("srv_nps_app", "App NPS", touchpoint.SurveyNPS, "app", 90),
		mk("srv_csat_store_visit", "Store visit CSAT", touchpoint.SurveyCSAT, "store_visit", 30),
		mk("srv_csat_call", "Call centre CSAT", touchpoint.SurveyCSAT, "call", 14),
		mk("srv_ces_support_ticket", "Support ticket CES", touchpoint.SurveyCES, "support_ticket", 14),
	}
}

// Comments returns every survey comment the data set uses, by language:
// real-sounding feedback in English, Vietnamese, Thai and Persian that
// tests of text handling can run against.
func Comments() map[string][]string {
	out := map[string][]string{}
	for _, lang := range languages {
		for _, list := range comments[lang] {
			out[lang] = append(out[lang], list...)
		}
	}
	return out
}
