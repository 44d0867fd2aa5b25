package web

import (
	"net/http"
	"strings"

	"github.com/touchpoint-cx/touchpoint"
)

// RetentionData is what the retention page shows.
type RetentionData struct {
	Scope       ScopeForm
	Activities  []Choice
	StartEvent  string
	ReturnEvent string
	Period      string
	Periods     []Choice
	CohortBy    string
	CohortTrait string
	Error       string
	Result      *touchpoint.RetentionResponse
	// Columns are the period headings: Week 0, Week 1…
	Columns []string
	Rows    []RetentionRow
	Total   RetentionRow
	Charts  RetentionCharts
}

// RetentionRow is one cohort of the grid, with a cell per period.
type RetentionRow struct {
	Cohort string
	Size   int64
	Cells  []RetentionCell
}

// RetentionCell is one period of a cohort; Future cells have not happened.
type RetentionCell struct {
	Returned int64
	Rate     float64
	Heat     int
	Future   bool
}

// RetentionCharts is the retention curve's data.
type RetentionCharts struct {
	Curve RetentionCurve `json:"curve"`
}

// RetentionCurve is the share of all cohorts back in each period, and of
// the largest cohorts separately.
type RetentionCurve struct {
	Labels []string      `json:"labels"`
	Total  []float64     `json:"total"`
	Series []CurveSeries `json:"series"`
}

// CurveSeries is one cohort's line.
type CurveSeries struct {
	Name  string     `json:"name"`
	Rates []*float64 `json:"rates"`
}

func (d *Dashboard) loadRetention(r *http.Request, v *View) error {
	ctx := r.Context()
	q := r.URL.Query()
	form, scope, err := d.analyticsScope(r, d.cfg.Clock.Now(), v.Workspace.ID, 90)
	if err != nil {
		return err
	}
	data := RetentionData{Scope: form, StartEvent: q.Get("start"), ReturnEvent: q.Get("return"), Period: q.Get("period"),
		CohortBy: q.Get("cohort"), CohortTrait: strings.TrimSpace(q.Get("cohort_trait"))}
	switch data.Period {
	case touchpoint.PeriodDay, touchpoint.PeriodMonth:
	default:
		data.Period = touchpoint.PeriodWeek
	}
	periods := atoiOr(q.Get("periods"), map[string]int{"day": 14, "week": 12, "month": 6}[data.Period])
	for _, n := range []int{3, 6, 8, 12, 14, 24, 30} {
		data.Periods = append(data.Periods, Choice{Value: formatNum(n), Label: formatNum(n), Selected: n == periods})
	}
	if !containsChoice(data.Periods, formatNum(periods)) {
		data.Periods = append(data.Periods, Choice{Value: formatNum(periods), Label: formatNum(periods), Selected: true})
	}
	if data.Activities, err = d.activityChoices(ctx, v.Workspace.ID, data.StartEvent, data.ReturnEvent); err != nil {
		return err
	}
	v.Data = &data
	req := touchpoint.RetentionRequest{Scope: scope, StartEvent: data.StartEvent, ReturnEvent: data.ReturnEvent,
		Period: data.Period, Periods: periods}
	if data.CohortBy == "trait" {
		if data.CohortTrait == "" {
			data.Error = "Name the trait to group customers by."
			return nil
		}
		req.CohortTrait = strings.TrimPrefix(data.CohortTrait, "trait.")
	}
	res, err := d.cfg.Analytics.Retention(ctx, req)
	if data.Error, err = analysisError(err); err != nil || data.Error != "" {
		return err
	}
	data.Result = res
	unit := titleCase(res.Period)
	for k := 0; k <= res.Periods; k++ {
		data.Columns = append(data.Columns, unit+" "+formatNum(k))
		data.Charts.Curve.Labels = append(data.Charts.Curve.Labels, unit+" "+formatNum(k))
	}
	row := func(c touchpoint.RetentionCohort) RetentionRow {
		out := RetentionRow{Cohort: c.Cohort, Size: c.Size}
		for k := 0; k <= res.Periods; k++ {
			if k < len(c.Returned) {
				rate := 0.0
				if k < len(c.Rates) {
					rate = c.Rates[k]
				}
				out.Cells = append(out.Cells, RetentionCell{Returned: c.Returned[k], Rate: rate, Heat: heat(rate)})
			} else {
				out.Cells = append(out.Cells, RetentionCell{Future: true})
			}
		}
		return out
	}
	for _, c := range res.Cohorts {
		data.Rows = append(data.Rows, row(c))
	}
	data.Total = row(res.Total)
	data.Total.Cohort = "All cohorts"
	data.Charts.Curve.Total = res.Total.Rates
	// The five largest cohorts as lines of their own.
	biggest := append([]touchpoint.RetentionCohort{}, res.Cohorts...)
	sortCohorts(biggest)
	for i, c := range biggest {
		if i == 5 {
			break
		}
		s := CurveSeries{Name: c.Cohort}
		for k := 0; k <= res.Periods; k++ {
			if k < len(c.Rates) {
				rate := c.Rates[k]
				s.Rates = append(s.Rates, &rate)
			} else {
				s.Rates = append(s.Rates, nil)
			}
		}
		data.Charts.Curve.Series = append(data.Charts.Curve.Series, s)
	}
	return nil
}

func sortCohorts(cs []touchpoint.RetentionCohort) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].Size > cs[j-1].Size; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}
