package touchpoint

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Identifier kinds Touchpoint knows. Sources may declare others (external
// ids such as zendesk_id or shopify_customer_id) through Segment's
// context.externalIds.
const (
	KindUserID      = "user_id"
	KindAnonymousID = "anonymous_id"
	KindEmail       = "email"
	KindPhone       = "phone"
)

// Identifier is one way of recognising a customer: a kind and a value,
// normalised (emails lower-cased, phones in E.164).
type Identifier struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

func (id Identifier) String() string { return id.Kind + ":" + id.Value }

var kindPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// ParseIdentifier reads "kind:value" (e.g. "email:a@b.com").
// Returns EINVALID if it is not of that form.
func ParseIdentifier(s string) (Identifier, error) {
	kind, value, ok := strings.Cut(s, ":")
	if !ok || !kindPattern.MatchString(kind) || strings.TrimSpace(value) == "" {
		return Identifier{}, FieldError("identifier", "%q is not kind:value (e.g. user_id:42, email:a@b.com, anonymous_id:…)", truncate(s, 80))
	}
	return Identifier{Kind: kind, Value: value}, nil
}

// priority orders kinds for attributing an event that names several
// profiles: the most specific identifier decides.
func priority(kind string) int {
	switch kind {
	case KindUserID:
		return 0
	case KindEmail:
		return 1
	case KindPhone:
		return 2
	case KindAnonymousID:
		return 4
	}
	return 3
}

// SortIdentifiers orders identifiers from most to least specific.
func SortIdentifiers(ids []Identifier) {
	slices.SortStableFunc(ids, func(a, b Identifier) int { return priority(a.Kind) - priority(b.Kind) })
}

// IdentityRules are a workspace's merge rules.
type IdentityRules struct {
	// Unique kinds never merge two profiles that hold different values of
	// them: by default two different user ids stay two customers.
	Unique []string `json:"unique"`
	// Limits caps how many identifiers of a kind one profile may hold;
	// Default applies to kinds not listed.
	Limits       map[string]int `json:"limits"`
	DefaultLimit int            `json:"default_limit"`
	// Blocklist holds junk values that identify no one, compared after
	// normalisation and case-insensitively.
	Blocklist []string `json:"blocklist"`
	// DefaultRegion is the country (ISO 3166 code) of phone numbers written
	// without an international prefix.
	DefaultRegion string `json:"default_region"`
}

// DefaultIdentityRules are the rules of a new workspace.
func DefaultIdentityRules() IdentityRules {
	return IdentityRules{
		Unique:       []string{KindUserID},
		Limits:       map[string]int{KindUserID: 1, KindEmail: 5, KindPhone: 5, KindAnonymousID: 200},
		DefaultLimit: 5,
		Blocklist: []string{"", "null", "nil", "none", "undefined", "0", "-1", "anonymous", "unknown", "n/a", "na", "guest",
			"test", "test@test.com", "test@example.com", "noreply@example.com", "no-reply@example.com", "email@example.com",
			"user@example.com", "a@a.com", "[object object]", "nan", "false", "true", "00000000-0000-0000-0000-000000000000"},
		DefaultRegion: "US",
	}
}

// Validate names the first bad rule.
func (r IdentityRules) Validate() error {
	for _, k := range r.Unique {
		if !kindPattern.MatchString(k) {
			return FieldError("unique", "%q is not an identifier kind", k)
		}
	}
	for k, n := range r.Limits {
		if !kindPattern.MatchString(k) {
			return FieldError("limits", "%q is not an identifier kind", k)
		}
		if n < 1 || n > 10000 {
			return FieldError("limits."+k, "must be between 1 and 10000")
		}
	}
	if r.DefaultLimit < 1 || r.DefaultLimit > 10000 {
		return FieldError("default_limit", "must be between 1 and 10000")
	}
	if r.DefaultRegion != "" && phonenumbers.GetCountryCodeForRegion(strings.ToUpper(r.DefaultRegion)) == 0 {
		return FieldError("default_region", "%q is not a country code such as US, GB or VN", r.DefaultRegion)
	}
	return nil
}

// IsUnique reports whether a kind never merges across profiles.
func (r IdentityRules) IsUnique(kind string) bool { return slices.Contains(r.Unique, kind) }

// Limit is how many identifiers of a kind one profile may hold.
func (r IdentityRules) Limit(kind string) int {
	if n, ok := r.Limits[kind]; ok {
		return n
	}
	return r.DefaultLimit
}

// Normalize returns the canonical form of an identifier, or an error
// saying why it identifies no one (junk, malformed email or phone).
func (r IdentityRules) Normalize(id Identifier) (Identifier, error) {
	v := strings.TrimSpace(id.Value)
	switch id.Kind {
	case KindEmail:
		v = strings.ToLower(v)
		addr, err := mail.ParseAddress(v)
		if err != nil || addr.Address != v || !strings.Contains(v[strings.LastIndexByte(v, '@')+1:], ".") {
			if r.junk(v) {
				return id, fmt.Errorf("junk value %q", v)
			}
			return id, fmt.Errorf("not an email address: %q", truncate(v, 80))
		}
	case KindPhone:
		if r.junk(v) {
			return id, fmt.Errorf("junk value %q", v)
		}
		num, err := phonenumbers.Parse(v, strings.ToUpper(r.DefaultRegion))
		if err != nil || !phonenumbers.IsPossibleNumber(num) {
			return id, fmt.Errorf("not a phone number: %q", truncate(v, 40))
		}
		v = phonenumbers.Format(num, phonenumbers.E164)
	}
	if r.junk(v) {
		return id, fmt.Errorf("junk value %q", v)
	}
	if len(v) > maxIDLen {
		return id, fmt.Errorf("longer than %d characters", maxIDLen)
	}
	return Identifier{Kind: id.Kind, Value: v}, nil
}

func (r IdentityRules) junk(v string) bool {
	v = strings.TrimSpace(v)
	for _, b := range r.Blocklist {
		if strings.EqualFold(v, b) {
			return true
		}
	}
	return false
}

// RejectedIdentifier is an identifier an event carried that was not used.
type RejectedIdentifier struct {
	Identifier Identifier `json:"identifier"`
	Reason     string     `json:"reason"`
}

// EventIdentifiers returns the identifiers an event carries, normalised and
// most specific first, and the ones dropped with the reason. The previous
// id of an alias call is not included: the engine resolves it.
func EventIdentifiers(ev *Event, r IdentityRules) ([]Identifier, []RejectedIdentifier) {
	var raw []Identifier
	add := func(kind, value string) {
		if value != "" {
			raw = append(raw, Identifier{Kind: kind, Value: value})
		}
	}
	add(KindUserID, ev.UserID)
	add(KindAnonymousID, ev.AnonymousID)
	// identify carries the customer's traits; other calls may carry them in
	// context.traits. A group call's traits are the account's, not theirs.
	var traits struct {
		Email json.RawMessage `json:"email"`
		Phone json.RawMessage `json:"phone"`
	}
	if ev.Type == TypeIdentify && len(ev.Traits) > 0 {
		_ = json.Unmarshal(ev.Traits, &traits)
	}
	var ctx struct {
		Traits struct {
			Email json.RawMessage `json:"email"`
			Phone json.RawMessage `json:"phone"`
		} `json:"traits"`
		ExternalIDs []struct {
			ID   json.RawMessage `json:"id"`
			Type string          `json:"type"`
		} `json:"externalIds"`
	}
	if len(ev.Context) > 0 {
		_ = json.Unmarshal(ev.Context, &ctx)
	}
	add(KindEmail, jsonString(traits.Email))
	add(KindPhone, jsonString(traits.Phone))
	add(KindEmail, jsonString(ctx.Traits.Email))
	add(KindPhone, jsonString(ctx.Traits.Phone))
	for _, x := range ctx.ExternalIDs {
		kind := strings.ToLower(strings.TrimSpace(x.Type))
		if kind == KindProfile && ev.SourceID != SystemSourceID {
			// Only Touchpoint may name a profile directly: write keys are
			// public, and a profile id from outside could hijack a customer.
			continue
		}
		if kindPattern.MatchString(kind) && kind != KindUserID && kind != KindAnonymousID {
			add(kind, jsonString(x.ID))
		}
	}

	var ids []Identifier
	var rejected []RejectedIdentifier
	seen := map[Identifier]bool{}
	for _, id := range raw {
		n, err := r.Normalize(id)
		if err != nil {
			rejected = append(rejected, RejectedIdentifier{Identifier: id, Reason: err.Error()})
			continue
		}
		if !seen[n] {
			seen[n] = true
			ids = append(ids, n)
		}
	}
	SortIdentifiers(ids)
	return ids, rejected
}

// jsonString reads a JSON string or number as text; anything else is "".
func jsonString(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}
