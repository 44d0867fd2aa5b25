package duckdb

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/touchpoint-cx/touchpoint"
)

// FeedbackConsumer is the feedback engine's name in this store's checkpoints.
const FeedbackConsumer = "feedback"

// FeedbackCheckpoint is the last log sequence whose feedback facts are here.
func (w *Warehouse) FeedbackCheckpoint(ctx context.Context) (uint64, error) {
	var seq uint64
	if err := w.db.QueryRowContext(ctx, w.query("checkpoint"), FeedbackConsumer).Scan(&seq); err != nil {
		return 0, fmt.Errorf("feedback checkpoint: %w", err)
	}
	return seq, nil
}

// ApplyFeedback writes the facts of a batch of feedback items and the log
// sequence they bring the store to, in one transaction. An item written
// again replaces its row (a response that grew, a ticket sent twice).
func (w *Warehouse) ApplyFeedback(ctx context.Context, items []*touchpoint.Feedback, seq uint64) error {
	ctx = context.WithoutCancel(ctx)
	w.wmu.Lock()
	defer w.wmu.Unlock()
	if w.wconn == nil {
		return errors.New("apply feedback: warehouse closed")
	}
	if _, err := w.wconn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("apply feedback: %w", err)
	}
	err := w.appendFeedback(ctx, items, seq)
	if err == nil {
		_, err = w.wconn.ExecContext(ctx, w.query("save_checkpoint"), FeedbackConsumer, seq)
	}
	if err == nil {
		_, err = w.wconn.ExecContext(ctx, "COMMIT")
	}
	if err != nil {
		if _, rerr := w.wconn.ExecContext(ctx, "ROLLBACK"); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return fmt.Errorf("apply feedback: %w", err)
	}
	return nil
}

func (w *Warehouse) appendFeedback(ctx context.Context, items []*touchpoint.Feedback, seq uint64) error {
	if len(items) == 0 {
		return nil
	}
	// The last version of each item in the batch wins; rows stored before
	// are deleted first, so an item is one row however often it changes.
	last := map[[2]string]*touchpoint.Feedback{}
	var order [][2]string
	byWorkspace := map[string][]string{}
	for _, it := range items {
		k := [2]string{it.Workspace, it.ID}
		if _, ok := last[k]; !ok {
			order = append(order, k)
			byWorkspace[it.Workspace] = append(byWorkspace[it.Workspace], it.ID)
		}
		last[k] = it
	}
	for ws, ids := range byWorkspace {
		if _, err := w.wconn.ExecContext(ctx, w.query("delete_feedback"), sql.Named("workspace", ws), sql.Named("ids", ids)); err != nil {
			return err
		}
	}
	return w.wconn.Raw(func(dc any) error {
		a, err := duckdb.NewTableAppender(dc.(driver.Conn), w.query("insert_feedback"), "", "", "feedback", nil)
		if err != nil {
			return err
		}
		for _, k := range order {
			it := last[k]
			var score, maxScore, sentScore any
			if it.Score != nil {
				score = *it.Score
			}
			if it.MaxScore != nil {
				maxScore = *it.MaxScore
			}
			if it.SentimentScore != nil {
				sentScore = *it.SentimentScore
			}
			topics, flags := it.Topics, it.Flags
			if topics == nil {
				topics = []string{}
			}
			if flags == nil {
				flags = []string{}
			}
			if err := a.AppendRow(it.Workspace, it.ID, it.EventID, seq, it.CreatedAt, it.Source, it.Kind, str(it.Channel),
				str(it.SurveyID), str(it.SurveyType), str(it.ResponseID), str(it.InvitationID), score, maxScore, it.Complete,
				it.Text != "", str(it.Language), str(it.Sentiment), sentScore, anyList(topics), str(it.Touchpoint),
				str(it.TouchpointChannel), str(it.UserID), str(it.AnonymousID), anyList(flags)); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
}

func anyList(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// PrecedingEvents returns, for each query, the customer's last three
// touchpoints (tracks, pages, screens other than feedback and survey
// delivery) in the 30 days up to its moment, newest first.
func (w *Warehouse) PrecedingEvents(ctx context.Context, workspace string, qs []touchpoint.PrecedingQuery) (map[string][]touchpoint.TouchpointEvent, error) {
	out := map[string][]touchpoint.TouchpointEvent{}
	if len(qs) == 0 {
		return out, nil
	}
	ids, users, anons, ats := make([]string, len(qs)), make([]string, len(qs)), make([]string, len(qs)), make([]string, len(qs))
	for i, q := range qs {
		ids[i], users[i], anons[i], ats[i] = q.ID, q.UserID, q.AnonymousID, q.At.UTC().Format(time.RFC3339Nano)
	}
	rows, err := w.db.QueryContext(ctx, w.query("preceding_events"), sql.Named("workspace", workspace), sql.Named("ids", ids),
		sql.Named("user_ids", users), sql.Named("anonymous_ids", anons), sql.Named("ats", ats))
	if err != nil {
		return nil, fmt.Errorf("preceding events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, msg, typ, event, name, channel string
		var at time.Time
		if err := rows.Scan(&id, &msg, &typ, &event, &name, &channel, &at); err != nil {
			return nil, fmt.Errorf("preceding events: %w", err)
		}
		out[id] = append(out[id], touchpoint.TouchpointEvent{EventID: msg, Name: touchpoint.TouchpointName(touchpoint.EventType(typ), event, name),
			Channel: channel, Timestamp: at.UTC()})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("preceding events: %w", err)
	}
	return out, nil
}

// metricArgs turns a metric query into the named parameters the metric
// queries share.
func metricArgs(q touchpoint.MetricQuery) []any {
	list := func(xs []string) []string {
		if xs == nil {
			return []string{}
		}
		return xs
	}
	by, traitPath := q.By, "$.x"
	if key, ok := strings.CutPrefix(q.By, "trait."); ok {
		by, traitPath = "trait", traitJSONPath(key)
	}
	keys := make([]string, 0, len(q.Traits))
	for k := range q.Traits {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	paths, values := []string{}, []string{}
	for _, k := range keys {
		paths = append(paths, traitJSONPath(k))
		values = append(values, q.Traits[k])
	}
	return []any{
		sql.Named("workspace", q.Workspace), sql.Named("survey_type", q.SurveyType), sql.Named("by", by),
		sql.Named("trait_path", traitPath), sql.Named("series", q.Interval != ""), sql.Named("interval", cmp.Or(q.Interval, "day")), sql.Named("from", q.From), sql.Named("to", q.To),
		sql.Named("survey_ids", list(q.SurveyIDs)), sql.Named("channels", list(q.Channels)), sql.Named("languages", list(q.Languages)),
		sql.Named("touchpoints", list(q.Touchpoints)), sql.Named("sources", list(q.Sources)),
		sql.Named("restrict_profiles", q.ProfileIDs != nil), sql.Named("profile_ids", list(q.ProfileIDs)),
		sql.Named("trait_paths", paths), sql.Named("trait_values", values), sql.Named("exclude_flags", list(q.ExcludeFlags)),
		sql.Named("complete_only", q.CompleteOnly),
		sql.Named("need_traits", by == "trait" || len(paths) > 0),
		sql.Named("need_profiles", by == "trait" || len(paths) > 0 || q.ProfileIDs != nil),
	}
}

// traitJSONPath quotes a trait name as a JSON path: any name is a key,
// dots and quotes included.
func traitJSONPath(key string) string {
	return `$."` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(key) + `"`
}

// ScoreCounts counts responses by score for q.SurveyType per group and bucket.
func (w *Warehouse) ScoreCounts(ctx context.Context, q touchpoint.MetricQuery) ([]touchpoint.ScoreGroup, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	rows, err := w.db.QueryContext(ctx, w.query("score_counts"), metricArgs(q)...)
	if err != nil {
		return nil, fmt.Errorf("score counts: %w", err)
	}
	defer rows.Close()
	var out []touchpoint.ScoreGroup
	for rows.Next() {
		var grp string
		var bucket sql.NullTime
		var score float64
		var n int64
		if err := rows.Scan(&grp, &bucket, &score, &n); err != nil {
			return nil, fmt.Errorf("score counts: %w", err)
		}
		b := bucketOf(bucket)
		if len(out) == 0 || out[len(out)-1].Key != grp || !sameBucket(out[len(out)-1].Bucket, b) {
			out = append(out, touchpoint.ScoreGroup{Key: grp, Bucket: b})
		}
		g := &out[len(out)-1]
		g.Counts = append(g.Counts, touchpoint.ScoreCount{Score: score, Count: n})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("score counts: %w", err)
	}
	return out, nil
}

// ResponseCounts counts invitations sent, answered and completed per group
// and bucket.
func (w *Warehouse) ResponseCounts(ctx context.Context, q touchpoint.MetricQuery) ([]touchpoint.RateGroup, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if slices.Contains([]string{"source", "kind", "sentiment"}, q.By) {
		return nil, touchpoint.FieldError("by", "response rates break down by survey, channel, touchpoint, language or trait.<key>")
	}
	rows, err := w.db.QueryContext(ctx, w.query("response_counts"), metricArgs(q)...)
	if err != nil {
		return nil, fmt.Errorf("response counts: %w", err)
	}
	defer rows.Close()
	var out []touchpoint.RateGroup
	for rows.Next() {
		var g touchpoint.RateGroup
		var bucket sql.NullTime
		if err := rows.Scan(&g.Key, &bucket, &g.Sent, &g.Responded, &g.Completed); err != nil {
			return nil, fmt.Errorf("response counts: %w", err)
		}
		g.Bucket = bucketOf(bucket)
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("response counts: %w", err)
	}
	return out, nil
}

func bucketOf(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	// date_trunc of a UTC wall time comes back without a zone; it is UTC.
	u := time.Date(t.Time.Year(), t.Time.Month(), t.Time.Day(), t.Time.Hour(), t.Time.Minute(), t.Time.Second(), 0, time.UTC)
	return &u
}

func sameBucket(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}
