package demo

import (
	"encoding/json"

	"github.com/touchpoint-cx/touchpoint"
)

// Segments are the segments the demo defines, so the segment and persona
// pages have something to show: behaviour in windows, a lapse that time
// brings about, unhappy customers and a persona.
func Segments(workspace string) []*touchpoint.Segment {
	mk := func(name, desc string, persona bool, cond string) *touchpoint.Segment {
		s := &touchpoint.Segment{Workspace: workspace, Name: name, Description: desc, Persona: persona}
		if err := json.Unmarshal([]byte(cond), &s.Condition); err != nil {
			panic("demo segment " + name + ": " + err.Error())
		}
		return s
	}
	return []*touchpoint.Segment{
		mk("Repeat buyers", "Two orders or more in the last 30 days", false,
			`{"event":{"name":"Order Completed","op":"gte","count":2,"within_days":30}}`),
		mk("Lapsing app users", "Installed the app but have not opened it in 14 days", false,
			`{"and":[{"event":{"name":"Application Installed"}},{"not":{"event":{"name":"Application Opened","within_days":14}}}]}`),
		mk("Unhappy premium customers", "Premium plan, last NPS answer 6 or less", false,
			`{"and":[{"trait":{"key":"plan","op":"eq","value":"premium"}},{"feedback":{"metric":"nps","op":"lte","value":6}}]}`),
		mk("Store regulars", "Visited a store three times in 90 days and ordered in the last 60", true,
			`{"and":[{"event":{"name":"Store Visited","op":"gte","count":3,"within_days":90}},{"event":{"name":"Order Completed","within_days":60}}]}`),
	}
}
