package touchpoint

import (
	"bytes"
	stdjson "encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendJSON appends the event's JSON encoding to buf, on one line. It is
// what the log stores, and decodes with encoding/json into an Event.
//
// It is written out by hand because encoding events is on the ingest hot
// path: the raw JSON fields came through the decoder, so they are known to
// be valid and only need compacting when they span lines.
func (e *Event) AppendJSON(buf []byte) []byte {
	buf = append(buf, '{')
	buf = appendField(buf, "messageId", e.ID, true)
	buf = appendField(buf, "workspace", e.Workspace, true)
	buf = appendField(buf, "sourceId", e.SourceID, false)
	buf = appendField(buf, "type", string(e.Type), true)
	buf = appendField(buf, "event", e.Event, false)
	buf = appendField(buf, "name", e.Name, false)
	buf = appendField(buf, "category", e.Category, false)
	buf = appendField(buf, "userId", e.UserID, false)
	buf = appendField(buf, "anonymousId", e.AnonymousID, false)
	buf = appendField(buf, "groupId", e.GroupID, false)
	buf = appendField(buf, "previousId", e.PreviousID, false)
	buf = appendField(buf, "channel", e.Channel, false)
	buf = appendTime(buf, "timestamp", e.Timestamp, true)
	buf = appendTime(buf, "originalTimestamp", e.OriginalTimestamp, false)
	buf = appendTime(buf, "sentAt", e.SentAt, false)
	buf = appendTime(buf, "receivedAt", e.ReceivedAt, true)
	buf = appendRaw(buf, "properties", e.Properties)
	buf = appendRaw(buf, "traits", e.Traits)
	buf = appendRaw(buf, "context", e.Context)
	buf = appendRaw(buf, "integrations", e.Integrations)
	buf[len(buf)-1] = '}'
	return buf
}

func appendKey(buf []byte, key string) []byte {
	buf = append(buf, '"')
	buf = append(buf, key...)
	return append(buf, '"', ':')
}

func appendField(buf []byte, key, value string, always bool) []byte {
	if value == "" && !always {
		return buf
	}
	buf = appendKey(buf, key)
	buf = appendString(buf, value)
	return append(buf, ',')
}

func appendTime(buf []byte, key string, t time.Time, always bool) []byte {
	if t.IsZero() && !always {
		return buf
	}
	buf = appendKey(buf, key)
	buf = append(buf, '"')
	buf = t.AppendFormat(buf, time.RFC3339Nano)
	return append(buf, '"', ',')
}

func appendRaw(buf []byte, key string, raw []byte) []byte {
	if len(raw) == 0 {
		return buf
	}
	buf = appendKey(buf, key)
	if bytes.IndexByte(raw, '\n') >= 0 || bytes.IndexByte(raw, '\r') >= 0 {
		var b bytes.Buffer
		if err := stdjson.Compact(&b, raw); err == nil {
			raw = b.Bytes()
		}
	}
	buf = append(buf, raw...)
	return append(buf, ',')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as encoding/json does.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// AppendJSON appends the stored form of computed traits: what
// encoding/json would write, without the derived DaysSinceLastOrder.
// Identity resolution writes a profile's computed traits after every batch
// that touched it, so this is on its hot path.
func (c *ComputedTraits) AppendJSON(buf []byte) []byte {
	buf = append(buf, '{')
	buf = appendTime(buf, "first_seen", c.FirstSeen, true)
	buf = appendTime(buf, "last_seen", c.LastSeen, true)
	buf = appendKey(buf, "events")
	buf = strconv.AppendInt(buf, c.Events, 10)
	buf = append(buf, ',')
	buf = appendCounts(buf, "events_by_name", c.EventsByName)
	buf = appendCounts(buf, "events_by_channel", c.EventsByChannel)
	buf = appendKey(buf, "orders")
	buf = strconv.AppendInt(buf, c.Orders, 10)
	buf = append(buf, ',')
	buf = appendKey(buf, "revenue")
	buf = strconv.AppendFloat(buf, c.Revenue, 'g', -1, 64)
	buf = append(buf, ',')
	buf = appendTime(buf, "last_order_at", c.LastOrderAt, false)
	if c.LastNPS != nil {
		buf = appendKey(buf, "last_nps")
		buf = strconv.AppendInt(buf, int64(*c.LastNPS), 10)
		buf = append(buf, ',')
	}
	buf = appendTime(buf, "last_nps_at", c.LastNPSAt, false)
	buf[len(buf)-1] = '}'
	return buf
}

func appendCounts(buf []byte, key string, m map[string]int64) []byte {
	buf = appendKey(buf, key)
	if m == nil {
		return append(buf, "null,"...)
	}
	buf = append(buf, '{')
	for k, v := range m {
		buf = appendString(buf, k)
		buf = append(buf, ':')
		buf = strconv.AppendInt(buf, v, 10)
		buf = append(buf, ',')
	}
	if buf[len(buf)-1] == ',' {
		buf = buf[:len(buf)-1]
	}
	return append(buf, '}', ',')
}
