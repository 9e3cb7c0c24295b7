package usage

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

func TestCreateUsagePlanValidate(t *testing.T) {
	for desc, tc := range map[string]struct {
		cmd       CreateUsagePlanCommand
		wantField string
	}{
		"ok": {cmd: CreateUsagePlanCommand{Name: "gold", Throttle: &gwconfig.Throttle{RateLimit: 2, BurstLimit: 2},
			Quota: &gwconfig.Quota{Limit: 10, Period: "MONTH", Offset: 27}}},
		"no name":         {cmd: CreateUsagePlanCommand{}, wantField: "name"},
		"period WEEKLY":   {cmd: CreateUsagePlanCommand{Name: "g", Quota: &gwconfig.Quota{Limit: 1, Period: "WEEKLY"}}, wantField: "quota.period"},
		"day offset":      {cmd: CreateUsagePlanCommand{Name: "g", Quota: &gwconfig.Quota{Limit: 1, Period: "DAY", Offset: 1}}, wantField: "quota.offset"},
		"zero limit":      {cmd: CreateUsagePlanCommand{Name: "g", Quota: &gwconfig.Quota{Period: "DAY"}}, wantField: "quota.limit"},
		"zero rate":       {cmd: CreateUsagePlanCommand{Name: "g", Throttle: &gwconfig.Throttle{BurstLimit: 1}}, wantField: "throttle.rateLimit"},
		"zero burst":      {cmd: CreateUsagePlanCommand{Name: "g", Throttle: &gwconfig.Throttle{RateLimit: 1}}, wantField: "throttle.burstLimit"},
		"stage twice":     {cmd: CreateUsagePlanCommand{Name: "g", APIStages: []gwconfig.PlanAPIStage{{APIID: "a", Stage: "p"}, {APIID: "a", Stage: "p"}}}, wantField: "apiStages[1]"},
		"bad stage name":  {cmd: CreateUsagePlanCommand{Name: "g", APIStages: []gwconfig.PlanAPIStage{{APIID: "a", Stage: "p/q"}}}, wantField: "apiStages[0].stage"},
		"bad method key":  {cmd: CreateUsagePlanCommand{Name: "g", APIStages: []gwconfig.PlanAPIStage{{APIID: "a", Stage: "p", MethodThrottles: map[string]gwconfig.Throttle{"FETCH /x": {RateLimit: 1, BurstLimit: 1}}}}}, wantField: "apiStages[0].methodThrottles.FETCH /x"},
		"bad method rate": {cmd: CreateUsagePlanCommand{Name: "g", APIStages: []gwconfig.PlanAPIStage{{APIID: "a", Stage: "p", MethodThrottles: map[string]gwconfig.Throttle{"GET /x": {BurstLimit: 1}}}}}, wantField: "apiStages[0].methodThrottles.GET /x.rateLimit"},
	} {
		t.Run(desc, func(t *testing.T) {
			err := tc.cmd.Validate()
			if tc.wantField == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrUsagePlanInvalid)
			assert.Contains(t, apierr.From(err).Details, tc.wantField)
		})
	}
}

func TestCreateAPIKeyValidate(t *testing.T) {
	for desc, tc := range map[string]struct {
		cmd       CreateAPIKeyCommand
		wantField string
	}{
		"generated":   {cmd: CreateAPIKeyCommand{Name: "k"}},
		"given value": {cmd: CreateAPIKeyCommand{Name: "k", Value: "0123456789abcdefghij"}},
		"short value": {cmd: CreateAPIKeyCommand{Name: "k", Value: "0123456789abcdefghi"}, wantField: "value"},
		"space value": {cmd: CreateAPIKeyCommand{Name: "k", Value: "0123456789 abcdefghij"}, wantField: "value"},
		"no name":     {cmd: CreateAPIKeyCommand{}, wantField: "name"},
		"long tag":    {cmd: CreateAPIKeyCommand{Name: "k", Tags: map[string]string{"t": string(make([]byte, 300))}}, wantField: "tags.t"},
	} {
		t.Run(desc, func(t *testing.T) {
			err := tc.cmd.Validate()
			if tc.wantField == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrAPIKeyInvalid)
			assert.Contains(t, apierr.From(err).Details, tc.wantField)
		})
	}
}

func TestUpdateUsagePlanOptional(t *testing.T) {
	for desc, tc := range map[string]struct {
		body          string
		throttleSet   bool
		throttleValue bool
	}{
		"absent": {body: `{}`},
		"null":   {body: `{"throttle":null}`, throttleSet: true},
		"value":  {body: `{"throttle":{"rateLimit":1,"burstLimit":1}}`, throttleSet: true, throttleValue: true},
	} {
		t.Run(desc, func(t *testing.T) {
			var cmd UpdateUsagePlanCommand
			require.NoError(t, json.Unmarshal([]byte(tc.body), &cmd))
			assert.Equal(t, tc.throttleSet, cmd.Throttle.Set)
			assert.Equal(t, tc.throttleValue, cmd.Throttle.Value != nil)
		})
	}
}

func TestParseImportCSV(t *testing.T) {
	for desc, tc := range map[string]struct {
		csv       string
		wantKeys  int
		wantLines []int
		wantErr   bool
	}{
		"api gateway format": {csv: "Name,key,description,Enabled,usageplanIds\na,aaaaaaaaaaaaaaaaaaaa,d,TRUE,p1:p2\n", wantKeys: 1},
		"any order, bom":     {csv: "\ufeffkey,name\naaaaaaaaaaaaaaaaaaaa,a\nbbbbbbbbbbbbbbbbbbbb,b\n", wantKeys: 2},
		"blank lines":        {csv: "key\n\naaaaaaaaaaaaaaaaaaaa\n\n", wantKeys: 1},
		"bad lines":          {csv: "key,Enabled\n,true\naaaaaaaaaaaaaaaaaaaa,perhaps\nb,true,extra\ncccccccccccccccccccc,false\n", wantKeys: 1, wantLines: []int{2, 3, 4}},
		"bad quote":          {csv: "key\n\"aaa\n", wantLines: []int{2}},
		"no key column":      {csv: "Name\nx\n", wantErr: true},
		"unknown column":     {csv: "key,colour\nx,y\n", wantErr: true},
		"empty":              {csv: "", wantErr: true},
	} {
		t.Run(desc, func(t *testing.T) {
			lines, bad, err := ParseImportCSV([]byte(tc.csv))
			if tc.wantErr {
				require.ErrorIs(t, err, ErrImportInvalid)
				return
			}
			require.NoError(t, err)
			assert.Len(t, lines, tc.wantKeys)
			var got []int
			for _, b := range bad {
				got = append(got, b.Line)
			}
			assert.Equal(t, tc.wantLines, got)
		})
	}
	lines, _, err := ParseImportCSV([]byte("Name,key,description,Enabled,usageplanIds\na,aaaaaaaaaaaaaaaaaaaa,d,false,p1:p2;p1\n"))
	require.NoError(t, err)
	require.Len(t, lines, 1)
	assert.Equal(t, []string{"p1", "p2"}, lines[0].UsagePlanIDs)
	assert.False(t, *lines[0].Command.Enabled)
	assert.Equal(t, "d", lines[0].Command.Description)
}
