package usage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// Limits on user input.
const (
	MaxNameLength        = 128
	MaxDescriptionLength = 1024
	MinKeyValueLength    = 20
	MaxKeyValueLength    = 128
	MaxTags              = 50
	MaxTagKeyLength      = 128
	MaxTagValueLength    = 256
	MaxAPIStages         = 100
	MaxMethodThrottles   = 200
	// MaxRateLimit bounds a throttle's requests per second.
	MaxRateLimit = 1_000_000
	// MaxImportLines bounds a CSV import.
	MaxImportLines = 1000
)

// CreateAPIKeyCommand creates an API key.
type CreateAPIKeyCommand struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Value is the key's secret (20-128 printable ASCII characters, no
	// spaces); empty draws a random 40-character one.
	Value string `json:"value,omitempty"`
	// Enabled defaults to true (API Gateway defaults to false; a key made
	// in the console is meant to be used).
	Enabled *bool             `json:"enabled,omitempty"`
	Tags    map[string]string `json:"tags,omitempty"`
}

// Validate checks the command.
func (c *CreateAPIKeyCommand) Validate() error {
	v := newValidator(ErrAPIKeyInvalid)
	v.name("name", c.Name)
	v.description("description", c.Description)
	if c.Value != "" {
		v.keyValue("value", c.Value)
	}
	v.tags(c.Tags)
	return v.Err()
}

// UpdateAPIKeyCommand changes a key; nil fields are left as they are. Tags
// replaces every tag; {} removes them all.
type UpdateAPIKeyCommand struct {
	Name        *string           `json:"name,omitempty"`
	Description *string           `json:"description,omitempty"`
	Enabled     *bool             `json:"enabled,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// Validate checks the command.
func (c *UpdateAPIKeyCommand) Validate() error {
	v := newValidator(ErrAPIKeyInvalid)
	if c.Name != nil {
		v.name("name", *c.Name)
	}
	if c.Description != nil {
		v.description("description", *c.Description)
	}
	v.tags(c.Tags)
	return v.Err()
}

// CreateUsagePlanCommand creates a usage plan.
type CreateUsagePlanCommand struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Throttle applies to each key unless an API stage or method
	// overrides it.
	Throttle *gwconfig.Throttle `json:"throttle,omitempty"`
	// Quota caps each key's requests per DAY, WEEK or MONTH.
	Quota *gwconfig.Quota `json:"quota,omitempty"`
	// APIStages are the stages the plan's keys may call; each must exist.
	APIStages []gwconfig.PlanAPIStage `json:"apiStages,omitempty"`
}

// Validate checks the command and canonicalises method throttle keys.
func (c *CreateUsagePlanCommand) Validate() error {
	v := newValidator(ErrUsagePlanInvalid)
	v.name("name", c.Name)
	v.description("description", c.Description)
	if c.Throttle != nil {
		v.throttle("throttle", c.Throttle)
	}
	if c.Quota != nil {
		v.quota("quota", c.Quota)
	}
	c.APIStages = v.apiStages(c.APIStages)
	return v.Err()
}

// Optional is a PATCH field that tells "absent" (Set false) from null (Set,
// Value nil) and a value.
type Optional[T any] struct {
	Set   bool
	Value *T
}

// UnmarshalJSON implements json.Unmarshaler; it is called for null too.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Value = nil
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	o.Value = &v
	return nil
}

// MarshalJSON implements json.Marshaler.
func (o Optional[T]) MarshalJSON() ([]byte, error) { return json.Marshal(o.Value) }

// Some returns a set Optional.
func Some[T any](v T) Optional[T] { return Optional[T]{Set: true, Value: &v} }

// UpdateUsagePlanCommand changes a plan; absent fields are left as they
// are, throttle or quota null removes it, apiStages replaces them all.
type UpdateUsagePlanCommand struct {
	Name        *string                     `json:"name,omitempty"`
	Description *string                     `json:"description,omitempty"`
	Throttle    Optional[gwconfig.Throttle] `json:"throttle"`
	Quota       Optional[gwconfig.Quota]    `json:"quota"`
	APIStages   *[]gwconfig.PlanAPIStage    `json:"apiStages,omitempty"`
}

// Validate checks the command.
func (c *UpdateUsagePlanCommand) Validate() error {
	v := newValidator(ErrUsagePlanInvalid)
	if c.Name != nil {
		v.name("name", *c.Name)
	}
	if c.Description != nil {
		v.description("description", *c.Description)
	}
	if c.Throttle.Value != nil {
		v.throttle("throttle", c.Throttle.Value)
	}
	if c.Quota.Value != nil {
		v.quota("quota", c.Quota.Value)
	}
	if c.APIStages != nil {
		s := v.apiStages(*c.APIStages)
		c.APIStages = &s
	}
	return v.Err()
}

// validator collects field problems into one 422 and knows the domain's
// field rules.
type validator struct{ *apierr.Fields }

func newValidator(base *apierr.Error) *validator { return &validator{apierr.NewFields(base)} }

func (v *validator) name(field, s string) {
	switch {
	case strings.TrimSpace(s) == "":
		v.Add(field, "required", "cannot be blank")
	case utf8.RuneCountInString(s) > MaxNameLength:
		v.Add(field, "too_long", fmt.Sprintf("must be at most %d characters", MaxNameLength))
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		v.Add(field, "invalid", "cannot contain control characters")
	}
}

func (v *validator) description(field, s string) {
	if utf8.RuneCountInString(s) > MaxDescriptionLength {
		v.Add(field, "too_long", fmt.Sprintf("must be at most %d characters", MaxDescriptionLength))
	}
}

// ValidKeyValue reports whether s may be an API key's value.
func ValidKeyValue(s string) bool {
	if len(s) < MinKeyValueLength || len(s) > MaxKeyValueLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

func (v *validator) keyValue(field, s string) {
	if !ValidKeyValue(s) {
		v.Add(field, "invalid", fmt.Sprintf("must be %d-%d printable ASCII characters without spaces",
			MinKeyValueLength, MaxKeyValueLength))
	}
}

func (v *validator) tags(tags map[string]string) {
	if len(tags) > MaxTags {
		v.Add("tags", "too_many", fmt.Sprintf("at most %d tags", MaxTags))
		return
	}
	for k, val := range tags {
		field := "tags." + k
		switch {
		case k == "" || utf8.RuneCountInString(k) > MaxTagKeyLength:
			v.Add("tags", "invalid", fmt.Sprintf("tag keys are 1-%d characters", MaxTagKeyLength))
		case utf8.RuneCountInString(val) > MaxTagValueLength:
			v.Add(field, "too_long", fmt.Sprintf("tag values are at most %d characters", MaxTagValueLength))
		case strings.IndexFunc(k+val, unicode.IsControl) >= 0:
			v.Add(field, "invalid", "tags cannot contain control characters")
		}
	}
}

func (v *validator) throttle(field string, t *gwconfig.Throttle) {
	switch {
	case math.IsNaN(t.RateLimit) || t.RateLimit <= 0 || t.RateLimit > MaxRateLimit:
		v.Add(field+".rateLimit", "invalid", fmt.Sprintf("must be more than 0 and at most %d requests per second", MaxRateLimit))
	case t.BurstLimit < 1 || t.BurstLimit > MaxRateLimit:
		v.Add(field+".burstLimit", "invalid", fmt.Sprintf("must be 1-%d requests", MaxRateLimit))
	}
}

func (v *validator) quota(field string, q *gwconfig.Quota) {
	if q.Limit < 1 {
		v.Add(field+".limit", "invalid", "must be at least 1")
	}
	maxOffset := -1
	switch q.Period {
	case gwconfig.QuotaDay:
		maxOffset = 0
	case gwconfig.QuotaWeek:
		maxOffset = 6
	case gwconfig.QuotaMonth:
		maxOffset = 27
	case "":
		v.Add(field+".period", "required", "is required (DAY, WEEK or MONTH)")
	default:
		v.Add(field+".period", "invalid", fmt.Sprintf("%q is not DAY, WEEK or MONTH", q.Period))
	}
	if maxOffset >= 0 && (q.Offset < 0 || q.Offset > maxOffset) {
		v.Add(field+".offset", "invalid", fmt.Sprintf("must be 0-%d for period %s", maxOffset, q.Period))
	}
}

func (v *validator) apiStages(in []gwconfig.PlanAPIStage) []gwconfig.PlanAPIStage {
	if len(in) > MaxAPIStages {
		v.Add("apiStages", "too_many", fmt.Sprintf("at most %d API stages", MaxAPIStages))
		return in
	}
	seen := map[string]bool{}
	out := make([]gwconfig.PlanAPIStage, len(in))
	for i, s := range in {
		field := fmt.Sprintf("apiStages[%d]", i)
		if s.APIID == "" {
			v.Add(field+".apiId", "required", "is required")
		}
		if !gwconfig.ValidStageName(s.Stage) {
			v.Add(field+".stage", "invalid", "must be 1-128 letters, digits, '-' or '_'")
		}
		k := gwconfig.StageKey(s.APIID, s.Stage)
		if seen[k] {
			v.Add(field, "duplicate", fmt.Sprintf("stage %s is listed twice", k))
		}
		seen[k] = true
		if s.Throttle != nil {
			t := *s.Throttle
			v.throttle(field+".throttle", &t)
			s.Throttle = &t
		}
		if len(s.MethodThrottles) > MaxMethodThrottles {
			v.Add(field+".methodThrottles", "too_many", fmt.Sprintf("at most %d method throttles", MaxMethodThrottles))
		} else if len(s.MethodThrottles) > 0 {
			mt := make(map[string]gwconfig.Throttle, len(s.MethodThrottles))
			for key, t := range s.MethodThrottles {
				mf := field + ".methodThrottles." + key
				rk, err := gwconfig.ParseRouteKey(key)
				if err != nil {
					v.Add(mf, "invalid", err.Error())
					continue
				}
				v.throttle(mf, &t)
				mt[rk.String()] = t
			}
			s.MethodThrottles = mt
		}
		out[i] = s
	}
	return out
}
