package duckdb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/touchpoint-cx/touchpoint"
)

// SegmentHints reads what the segment builder suggests: event and page
// names, their properties, trait and account trait keys, journeys and
// channels, from the workspace's data (recent samples where the whole
// would be slow).
func (w *Warehouse) SegmentHints(ctx context.Context, workspace string) (*touchpoint.SegmentHints, error) {
	h := &touchpoint.SegmentHints{Events: []string{}, Pages: []string{}, Traits: []string{}, AccountTraits: []string{},
		Journeys: []string{}, Channels: []string{}, Properties: map[string][]string{}}
	ws := sql.Named("workspace", workspace)
	rows, err := w.db.QueryContext(ctx, w.query("hints_events"), ws)
	if err != nil {
		return nil, fmt.Errorf("segment hints: %w", err)
	}
	for rows.Next() {
		var typ, name string
		if err := rows.Scan(&typ, &name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("segment hints: %w", err)
		}
		switch {
		case typ == string(touchpoint.TypeTrack) && name != "":
			h.Events = append(h.Events, name)
		case typ != string(touchpoint.TypeTrack) && name != "":
			h.Pages = append(h.Pages, name)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("segment hints: %w", err)
	}
	rows, err = w.db.QueryContext(ctx, w.query("hints_properties"), ws)
	if err != nil {
		return nil, fmt.Errorf("segment hints: %w", err)
	}
	for rows.Next() {
		var ev, k string
		if err := rows.Scan(&ev, &k); err != nil {
			rows.Close()
			return nil, fmt.Errorf("segment hints: %w", err)
		}
		h.Properties[ev] = append(h.Properties[ev], k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("segment hints: %w", err)
	}
	for q, dst := range map[string]*[]string{"hints_traits": &h.Traits, "hints_account_traits": &h.AccountTraits, "hints_journeys": &h.Journeys, "hints_channels": &h.Channels} {
		rows, err := w.db.QueryContext(ctx, w.query(q), ws)
		if err != nil {
			return nil, fmt.Errorf("segment hints: %w", err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return nil, fmt.Errorf("segment hints: %w", err)
			}
			*dst = append(*dst, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("segment hints: %w", err)
		}
	}
	return h, nil
}
