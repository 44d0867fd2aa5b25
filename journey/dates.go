package journey

import (
	"context"
	"encoding/json"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// RunDates enrols the customers whose date trait falls today in every
// live journey with a date entry. Each journey version and day is covered
// once (recorded in the same transaction as its enrolments), so running it
// every few minutes, or after a restart, enrols no one twice.
func (e *Engine) RunDates(ctx context.Context) (int, error) {
	e.Forget()
	cat, err := e.catalog(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, cv := range cat.live {
		if cv.def.Entry.Type != touchpoint.EntryDate {
			continue
		}
		n, err := e.runDate(ctx, cat, cv)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

func (e *Engine) runDate(ctx context.Context, cat *catalog, cv *version) (int, error) {
	s, err := e.cfg.Store.MessagingSettings(ctx, cv.v.Workspace)
	if err != nil {
		return 0, err
	}
	loc := timezoneOf(nil, nil, s.Timezone)
	now := e.cfg.Clock.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	entry := &cv.def.Entry
	type hit struct {
		profileID string
		value     json.RawMessage
	}
	var hits []hit
	err = e.cfg.Store.DateTraits(ctx, cv.v.Workspace, entry.Trait, func(profileID string, value json.RawMessage) error {
		if DateMatches(value, time.Duration(entry.Offset), entry.Annual, today) {
			hits = append(hits, hit{profileID, value})
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	day := today.Format(time.DateOnly)
	profiles := make([]*touchpoint.Profile, len(hits))
	for i, h := range hits {
		p, err := e.cfg.Profiles.FindProfile(ctx, cv.v.Workspace, touchpoint.Identifier{Kind: touchpoint.KindProfile, Value: h.profileID})
		if err != nil && touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			return 0, err
		}
		profiles[i] = p
	}
	enrolled, enqueued := 0, false
	err = e.cfg.Store.UpdateJourneys(ctx, func(tx Tx) error {
		first, err := tx.DateRun(cv.v.Workspace, cv.v.JourneyID, cv.v.Version, day)
		if err != nil || !first {
			return err
		}
		r := e.newRun(ctx, tx, cat)
		for i, h := range hits {
			if profiles[i] == nil {
				continue
			}
			props, _ := json.Marshal(map[string]any{"trait": entry.Trait, "value": h.value, "date": day})
			ev := &touchpoint.Event{ID: "date:" + day, Workspace: cv.v.Workspace, Type: touchpoint.TypeTrack, Event: "journey.date", Properties: props, Timestamp: r.now}
			r.profiles[profiles[i].ID] = profiles[i]
			if en, _ := r.enrol(cv, profiles[i].ID, userIDOf(profiles[i]), ev, enrolmentID(cv.v, profiles[i].ID, "date:"+day)); en != nil {
				enrolled++
			}
		}
		enqueued = r.enqueued
		return r.flush()
	})
	if err == nil && enqueued && e.cfg.Enqueued != nil {
		e.cfg.Enqueued()
	}
	return enrolled, err
}

// DateMatches reports whether a date trait (YYYY-MM-DD, or an RFC 3339
// time whose date counts), moved by offset, falls on day. Annual dates
// (birthdays) match on month and day in any year; 29 February matches
// 28 February in other years.
func DateMatches(value json.RawMessage, offset time.Duration, annual bool, day time.Time) bool {
	var s string
	if json.Unmarshal(value, &s) != nil || len(s) < 10 {
		return false
	}
	d, err := time.Parse(time.DateOnly, s[:10])
	if err != nil {
		return false
	}
	if !annual {
		return sameDay(d.Add(offset), day)
	}
	for _, y := range []int{day.Year() - 1, day.Year(), day.Year() + 1} {
		m, dd := d.Month(), d.Day()
		if m == time.February && dd == 29 && !isLeap(y) {
			dd = 28
		}
		if sameDay(time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).Add(offset), day) {
			return true
		}
	}
	return false
}

func sameDay(a, b time.Time) bool {
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// RunDatesEvery runs the date pass at start and then every interval.
func (e *Engine) RunDatesEvery(ctx context.Context, interval time.Duration) {
	for {
		if _, err := e.RunDates(ctx); err != nil && ctx.Err() == nil {
			e.cfg.Logger.Error("journey date entries", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}
