package usageimpl

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/apis/apistest"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/usage"
	"github.com/turnpike/turnpike/backend/usage/usagetest"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/limit"
)

const (
	tenantA = "tenant-a"
	tenantB = "tenant-b"
)

type fixture struct {
	svc      *Service
	bus      fleet.FleetBus
	pub      *usagetest.FlakyPublisher
	counters *usagetest.Counters
	now      time.Time
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	require.NoError(t, apistest.InsertTenant(d, tenantA))
	require.NoError(t, apistest.InsertTenant(d, tenantB))
	bus := fleet.NewMemory()
	t.Cleanup(func() { _ = bus.Close() })
	kb, ok := bus.(fleet.FleetBus)
	require.True(t, ok)
	f := &fixture{bus: kb, pub: &usagetest.FlakyPublisher{Next: kb}, counters: &usagetest.Counters{},
		now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	f.svc = ProvideService(Deps{DB: d, Bus: f.pub, Counters: f.counters,
		Stages: usagetest.Stages{tenantA + "/api1/prod": true, tenantA + "/api1/dev": true, tenantB + "/api2/prod": true},
		Now:    func() time.Time { return f.now }})
	return f
}

func status(err error) int { return apierr.From(err).Status }

func (f *fixture) fleetKey(t *testing.T, id string) *gwconfig.APIKey {
	t.Helper()
	keys, err := f.bus.APIKeys(context.Background())
	require.NoError(t, err)
	for _, k := range keys {
		if k.ID == id {
			return k
		}
	}
	return nil
}

func (f *fixture) fleetPlan(t *testing.T, id string) *gwconfig.UsagePlan {
	t.Helper()
	plans, err := f.bus.UsagePlans(context.Background())
	require.NoError(t, err)
	for _, p := range plans {
		if p.ID == id {
			return p
		}
	}
	return nil
}

func TestIntegrationAPIKeys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)

		k, err := f.svc.CreateAPIKey(ctx, tenantA, usage.CreateAPIKeyCommand{Name: "mobile", Tags: map[string]string{"team": "ios"}})
		require.NoError(t, err)
		assert.Regexp(t, `^[a-z0-9]{10}$`, k.ID)
		assert.Regexp(t, `^[A-Za-z0-9]{40}$`, k.Value)
		assert.True(t, k.Enabled)

		fk := f.fleetKey(t, k.ID)
		require.NotNil(t, fk)
		assert.Equal(t, HashValue(k.Value), fk.ValueHash)
		assert.Equal(t, tenantA, fk.TenantID)
		assert.True(t, fk.Enabled)

		got, err := f.svc.GetAPIKey(ctx, tenantA, k.ID)
		require.NoError(t, err)
		assert.Equal(t, k.Value, got.Value)
		assert.Equal(t, map[string]string{"team": "ios"}, got.Tags)

		off := false
		upd, err := f.svc.UpdateAPIKey(ctx, tenantA, k.ID, usage.UpdateAPIKeyCommand{Enabled: &off, Tags: map[string]string{}})
		require.NoError(t, err)
		assert.False(t, upd.Enabled)
		assert.Empty(t, upd.Tags)
		assert.False(t, f.fleetKey(t, k.ID).Enabled)

		// Tenant B sees nothing of A's key and cannot change it.
		_, err = f.svc.GetAPIKey(ctx, tenantB, k.ID)
		assert.ErrorIs(t, err, usage.ErrAPIKeyNotFound)
		on := true
		_, err = f.svc.UpdateAPIKey(ctx, tenantB, k.ID, usage.UpdateAPIKeyCommand{Enabled: &on})
		assert.ErrorIs(t, err, usage.ErrAPIKeyNotFound)
		assert.ErrorIs(t, f.svc.DeleteAPIKey(ctx, tenantB, k.ID), usage.ErrAPIKeyNotFound)
		listB, err := f.svc.ListAPIKeys(ctx, tenantB)
		require.NoError(t, err)
		assert.Empty(t, listB)

		// A value is unique, across tenants too.
		v := "abcdefghijklmnopqrstuvwxyz0123"
		_, err = f.svc.CreateAPIKey(ctx, tenantA, usage.CreateAPIKeyCommand{Name: "one", Value: v})
		require.NoError(t, err)
		_, err = f.svc.CreateAPIKey(ctx, tenantB, usage.CreateAPIKeyCommand{Name: "two", Value: v})
		assert.ErrorIs(t, err, usage.ErrAPIKeyValueTaken)
		assert.Equal(t, 409, status(err))

		listA, err := f.svc.ListAPIKeys(ctx, tenantA)
		require.NoError(t, err)
		assert.Len(t, listA, 2)

		require.NoError(t, f.svc.DeleteAPIKey(ctx, tenantA, k.ID))
		assert.Nil(t, f.fleetKey(t, k.ID))
		_, err = f.svc.GetAPIKey(ctx, tenantA, k.ID)
		assert.ErrorIs(t, err, usage.ErrAPIKeyNotFound)
	})
}

func TestIntegrationPublishFailureRollsBack(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		k, err := f.svc.CreateAPIKey(ctx, tenantA, usage.CreateAPIKeyCommand{Name: "kept"})
		require.NoError(t, err)
		p, err := f.svc.CreateUsagePlan(ctx, tenantA, usage.CreateUsagePlanCommand{Name: "gold"})
		require.NoError(t, err)

		f.pub.SetDown(true)
		_, err = f.svc.CreateAPIKey(ctx, tenantA, usage.CreateAPIKeyCommand{Name: "lost"})
		assert.ErrorIs(t, err, usage.ErrFleetUnavailable)
		assert.Equal(t, 503, status(err))
		off := false
		_, err = f.svc.UpdateAPIKey(ctx, tenantA, k.ID, usage.UpdateAPIKeyCommand{Enabled: &off})
		assert.ErrorIs(t, err, usage.ErrFleetUnavailable)
		assert.ErrorIs(t, f.svc.DeleteAPIKey(ctx, tenantA, k.ID), usage.ErrFleetUnavailable)
		_, err = f.svc.CreateUsagePlanKey(ctx, tenantA, p.ID, k.ID)
		assert.ErrorIs(t, err, usage.ErrFleetUnavailable)
		assert.ErrorIs(t, f.svc.DeleteUsagePlan(ctx, tenantA, p.ID), usage.ErrFleetUnavailable)
		f.pub.SetDown(false)

		keys, err := f.svc.ListAPIKeys(ctx, tenantA)
		require.NoError(t, err)
		require.Len(t, keys, 1)
		assert.Equal(t, "kept", keys[0].Name)
		assert.True(t, keys[0].Enabled)
		assert.Empty(t, keys[0].UsagePlanIDs)
		_, err = f.svc.GetUsagePlan(ctx, tenantA, p.ID)
		assert.NoError(t, err)
	})
}

func TestIntegrationUsagePlans(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)

		_, err := f.svc.CreateUsagePlan(ctx, tenantA, usage.CreateUsagePlanCommand{Name: "x",
			APIStages: []gwconfig.PlanAPIStage{{APIID: "api2", Stage: "prod"}}})
		assert.ErrorIs(t, err, usage.ErrUsagePlanInvalid)
		assert.Contains(t, apierr.From(err).Details, "apiStages[0]")

		p, err := f.svc.CreateUsagePlan(ctx, tenantA, usage.CreateUsagePlanCommand{Name: "gold",
			Throttle: &gwconfig.Throttle{RateLimit: 2, BurstLimit: 2},
			Quota:    &gwconfig.Quota{Limit: 1000, Period: gwconfig.QuotaDay},
			APIStages: []gwconfig.PlanAPIStage{{APIID: "api1", Stage: "prod",
				MethodThrottles: map[string]gwconfig.Throttle{"GET /pets": {RateLimit: 1, BurstLimit: 1}}}}})
		require.NoError(t, err)
		assert.Regexp(t, `^[a-z0-9]{6}$`, p.ID)
		fp := f.fleetPlan(t, p.ID)
		require.NotNil(t, fp)
		assert.Equal(t, &gwconfig.Throttle{RateLimit: 2, BurstLimit: 2}, fp.Throttle)
		assert.Contains(t, fp.APIStages[0].MethodThrottles, "GET /pets")

		got, err := f.svc.GetUsagePlan(ctx, tenantA, p.ID)
		require.NoError(t, err)
		assert.Equal(t, p.Quota, got.Quota)
		assert.Equal(t, p.APIStages, got.APIStages)

		_, err = f.svc.GetUsagePlan(ctx, tenantB, p.ID)
		assert.ErrorIs(t, err, usage.ErrUsagePlanNotFound)
		_, err = f.svc.UpdateUsagePlan(ctx, tenantB, p.ID, usage.UpdateUsagePlanCommand{Name: new("stolen")})
		assert.ErrorIs(t, err, usage.ErrUsagePlanNotFound)

		upd, err := f.svc.UpdateUsagePlan(ctx, tenantA, p.ID, usage.UpdateUsagePlanCommand{
			Throttle: usage.Optional[gwconfig.Throttle]{Set: true}, Quota: usage.Some(gwconfig.Quota{Limit: 5, Period: "WEEK", Offset: 2})})
		require.NoError(t, err)
		assert.Nil(t, upd.Throttle)
		assert.Equal(t, int64(5), upd.Quota.Limit)
		assert.Nil(t, f.fleetPlan(t, p.ID).Throttle)

		// Keys attach; the key's fleet copy names the plan.
		k, err := f.svc.CreateAPIKey(ctx, tenantA, usage.CreateAPIKeyCommand{Name: "k"})
		require.NoError(t, err)
		_, err = f.svc.CreateUsagePlanKey(ctx, tenantB, p.ID, k.ID)
		assert.ErrorIs(t, err, usage.ErrUsagePlanNotFound)
		kb, err := f.svc.CreateAPIKey(ctx, tenantB, usage.CreateAPIKeyCommand{Name: "b"})
		require.NoError(t, err)
		_, err = f.svc.CreateUsagePlanKey(ctx, tenantA, p.ID, kb.ID)
		assert.ErrorIs(t, err, usage.ErrAPIKeyNotFound)

		ak, err := f.svc.CreateUsagePlanKey(ctx, tenantA, p.ID, k.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{p.ID}, ak.UsagePlanIDs)
		assert.Equal(t, []string{p.ID}, f.fleetKey(t, k.ID).UsagePlanIDs)
		_, err = f.svc.CreateUsagePlanKey(ctx, tenantA, p.ID, k.ID)
		assert.ErrorIs(t, err, usage.ErrUsagePlanKeyExists)

		// A second plan on the same stage cannot take the key.
		p2, err := f.svc.CreateUsagePlan(ctx, tenantA, usage.CreateUsagePlanCommand{Name: "silver",
			APIStages: []gwconfig.PlanAPIStage{{APIID: "api1", Stage: "prod"}}})
		require.NoError(t, err)
		_, err = f.svc.CreateUsagePlanKey(ctx, tenantA, p2.ID, k.ID)
		assert.ErrorIs(t, err, usage.ErrStageInTwoPlans)

		keys, err := f.svc.ListUsagePlanKeys(ctx, tenantA, p.ID)
		require.NoError(t, err)
		require.Len(t, keys, 1)
		assert.Equal(t, k.ID, keys[0].ID)

		// Deleting the plan detaches the key and republishes it.
		require.NoError(t, f.svc.DeleteUsagePlan(ctx, tenantA, p.ID))
		assert.Nil(t, f.fleetPlan(t, p.ID))
		assert.Empty(t, f.fleetKey(t, k.ID).UsagePlanIDs)
		got2, err := f.svc.GetAPIKey(ctx, tenantA, k.ID)
		require.NoError(t, err)
		assert.Empty(t, got2.UsagePlanIDs)

		_, err = f.svc.CreateUsagePlanKey(ctx, tenantA, p2.ID, k.ID)
		require.NoError(t, err)
		require.NoError(t, f.svc.DeleteUsagePlanKey(ctx, tenantA, p2.ID, k.ID))
		assert.Empty(t, f.fleetKey(t, k.ID).UsagePlanIDs)
		assert.ErrorIs(t, f.svc.DeleteUsagePlanKey(ctx, tenantA, p2.ID, k.ID), usage.ErrUsagePlanKeyNotFound)
	})
}

func TestIntegrationImportAPIKeys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		p, err := f.svc.CreateUsagePlan(ctx, tenantA, usage.CreateUsagePlanCommand{Name: "gold"})
		require.NoError(t, err)
		pb, err := f.svc.CreateUsagePlan(ctx, tenantB, usage.CreateUsagePlanCommand{Name: "theirs"})
		require.NoError(t, err)
		csv := "Name,key,description,Enabled,usageplanIds\n" +
			"first,aaaaaaaaaaaaaaaaaaaaaaaa,one,true," + p.ID + "\n" +
			"short,tooshort,,true,\n" +
			"dup,aaaaaaaaaaaaaaaaaaaaaaaa,,true,\n" +
			"theirs,bbbbbbbbbbbbbbbbbbbbbbbb,,true," + pb.ID + "\n" +
			"off,cccccccccccccccccccccccc,,false,\n" +
			"bad,dddddddddddddddddddddddd,,maybe,\n"
		res, err := f.svc.ImportAPIKeys(ctx, tenantA, []byte(csv))
		require.NoError(t, err)
		require.Len(t, res.IDs, 2)
		lines := map[int]bool{}
		for _, e := range res.Errors {
			lines[e.Line] = true
		}
		assert.Equal(t, map[int]bool{3: true, 4: true, 5: true, 7: true}, lines)

		first, err := f.svc.GetAPIKey(ctx, tenantA, res.IDs[0])
		require.NoError(t, err)
		assert.Equal(t, "first", first.Name)
		assert.Equal(t, []string{p.ID}, first.UsagePlanIDs)
		off, err := f.svc.GetAPIKey(ctx, tenantA, res.IDs[1])
		require.NoError(t, err)
		assert.False(t, off.Enabled)
		// The key of the failed line 5 was rolled back with its attachment.
		keys, err := f.svc.ListAPIKeys(ctx, tenantA)
		require.NoError(t, err)
		assert.Len(t, keys, 2)

		_, err = f.svc.ImportAPIKeys(ctx, tenantA, []byte("Name,secret\nx,y\n"))
		assert.ErrorIs(t, err, usage.ErrImportInvalid)
	})
}

func TestIntegrationUsageReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		p, err := f.svc.CreateUsagePlan(ctx, tenantA, usage.CreateUsagePlanCommand{Name: "gold",
			Quota: &gwconfig.Quota{Limit: 100, Period: gwconfig.QuotaWeek}})
		require.NoError(t, err)
		k, err := f.svc.CreateAPIKey(ctx, tenantA, usage.CreateAPIKeyCommand{Name: "k"})
		require.NoError(t, err)
		_, err = f.svc.CreateUsagePlanKey(ctx, tenantA, p.ID, k.ID)
		require.NoError(t, err)
		// 2026-11-26 is a Thursday; the week began on Monday the 23rd.
		f.counters.Add(p.ID, k.ID, f.now.AddDate(0, 0, -3), 10)
		f.counters.Add(p.ID, k.ID, f.now.AddDate(0, 0, -1), 5)
		f.counters.Add(p.ID, k.ID, f.now, 7)

		u, err := f.svc.GetUsage(ctx, tenantA, p.ID, usage.GetUsageQuery{StartDate: "2026-11-24", EndDate: "2026-11-27"})
		require.NoError(t, err)
		assert.Equal(t, []string{"2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"}, u.Days)
		assert.Equal(t, []usage.DayUsage{{Used: 0, Remaining: 90}, {Used: 5, Remaining: 85}, {Used: 7, Remaining: 78},
			{Used: 0, Remaining: 100}}, u.Keys[k.ID])
		assert.Equal(t, int64(78), u.Remaining[k.ID])

		q, err := f.svc.UpdateUsage(ctx, tenantA, p.ID, k.ID, usage.UpdateUsageCommand{Extend: 20})
		require.NoError(t, err)
		assert.Equal(t, int64(98), q.Remaining)
		q, err = f.svc.UpdateUsage(ctx, tenantA, p.ID, k.ID, usage.UpdateUsageCommand{Reset: true})
		require.NoError(t, err)
		assert.Equal(t, int64(100), q.Remaining)

		for desc, tc := range map[string]struct {
			tenant string
			query  usage.GetUsageQuery
			want   error
		}{
			"other tenant":   {tenantB, usage.GetUsageQuery{StartDate: "2026-11-24", EndDate: "2026-11-24"}, usage.ErrUsagePlanNotFound},
			"bad date":       {tenantA, usage.GetUsageQuery{StartDate: "2026-13-01", EndDate: "2026-11-24"}, usage.ErrUsageInvalid},
			"end before":     {tenantA, usage.GetUsageQuery{StartDate: "2026-11-24", EndDate: "2026-11-01"}, usage.ErrUsageInvalid},
			"too long":       {tenantA, usage.GetUsageQuery{StartDate: "2026-01-01", EndDate: "2026-11-01"}, usage.ErrUsageInvalid},
			"unattached key": {tenantA, usage.GetUsageQuery{KeyID: "nope", StartDate: "2026-11-24", EndDate: "2026-11-24"}, usage.ErrAPIKeyNotFound},
		} {
			t.Run(desc, func(t *testing.T) {
				_, err := f.svc.GetUsage(ctx, tc.tenant, p.ID, tc.query)
				assert.ErrorIs(t, err, tc.want)
			})
		}
		_, err = f.svc.UpdateUsage(ctx, tenantA, p.ID, k.ID, usage.UpdateUsageCommand{})
		assert.ErrorIs(t, err, usage.ErrUsageInvalid)
		f.counters.ExpectedError = usagetest.ErrFleetDown
		_, err = f.svc.GetUsage(ctx, tenantA, p.ID, usage.GetUsageQuery{StartDate: "2026-11-24", EndDate: "2026-11-24"})
		assert.Equal(t, 503, status(err))
	})
}

func TestIntegrationReconcile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		p, err := f.svc.CreateUsagePlan(ctx, tenantA, usage.CreateUsagePlanCommand{Name: "gold"})
		require.NoError(t, err)
		k, err := f.svc.CreateAPIKey(ctx, tenantB, usage.CreateAPIKeyCommand{Name: "k"})
		require.NoError(t, err)

		fresh := fleet.NewMemory()
		t.Cleanup(func() { _ = fresh.Close() })
		kb := fleet.AsKeyBus(fresh)
		// Left over from a write that rolled back after its publish.
		require.NoError(t, kb.PutAPIKey(ctx, &gwconfig.APIKey{ID: "stray", TenantID: tenantA, ValueHash: HashValue("stray-value-0123456789")}))
		require.NoError(t, kb.PutUsagePlan(ctx, &gwconfig.UsagePlan{ID: "strayp", TenantID: tenantA}))
		svc := ProvideService(Deps{DB: d, Bus: kb})
		require.NoError(t, svc.Reconcile(ctx))
		keys, err := kb.APIKeys(ctx)
		require.NoError(t, err)
		require.Len(t, keys, 1)
		assert.Equal(t, k.ID, keys[0].ID)
		plans, err := kb.UsagePlans(ctx)
		require.NoError(t, err)
		require.Len(t, plans, 1)
		assert.Equal(t, p.ID, plans[0].ID)
		limits, err := kb.TenantLimits(ctx)
		require.NoError(t, err)
		require.Len(t, limits, 2)
		assert.Equal(t, gwconfig.DefaultTenantThrottle, limits[0].Throttle)
	})
}

func TestPeriodStart(t *testing.T) {
	thu := time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)
	for desc, tc := range map[string]struct {
		q    gwconfig.Quota
		want string
	}{
		"day":              {gwconfig.Quota{Period: "DAY"}, "2026-11-26"},
		"week from monday": {gwconfig.Quota{Period: "WEEK"}, "2026-11-23"},
		"week offset 3":    {gwconfig.Quota{Period: "WEEK", Offset: 3}, "2026-11-26"},
		"week offset 4":    {gwconfig.Quota{Period: "WEEK", Offset: 4}, "2026-11-20"},
		"month":            {gwconfig.Quota{Period: "MONTH"}, "2026-11-01"},
		"month offset 27":  {gwconfig.Quota{Period: "MONTH", Offset: 27}, "2026-10-28"},
	} {
		t.Run(desc, func(t *testing.T) {
			assert.Equal(t, tc.want, PeriodStart(tc.q, thu).Format("2006-01-02"))
		})
	}
}

// The report reads what the gateways' own limiter counted.
func TestIntegrationUsageFromLocalLimiter(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		lim := limit.NewLocal(limit.WithLocalClock(func() time.Time { return f.now }))
		f.svc.counters = lim
		q := gwconfig.Quota{Limit: 3, Period: gwconfig.QuotaDay}
		p, err := f.svc.CreateUsagePlan(ctx, tenantA, usage.CreateUsagePlanCommand{Name: "gold", Quota: &q})
		require.NoError(t, err)
		k, err := f.svc.CreateAPIKey(ctx, tenantA, usage.CreateAPIKeyCommand{Name: "k"})
		require.NoError(t, err)
		_, err = f.svc.CreateUsagePlanKey(ctx, tenantA, p.ID, k.ID)
		require.NoError(t, err)

		admitted := 0
		for range 5 {
			dec, err := lim.Allow(ctx, &limit.Request{PlanID: p.ID, KeyID: k.ID, Quota: &q})
			require.NoError(t, err)
			if dec.Allowed() {
				admitted++
			}
		}
		assert.Equal(t, 3, admitted)
		u, err := f.svc.GetUsage(ctx, tenantA, p.ID, usage.GetUsageQuery{KeyID: k.ID, StartDate: "2026-11-26", EndDate: "2026-11-26"})
		require.NoError(t, err)
		assert.Equal(t, []usage.DayUsage{{Used: 3, Remaining: 0}}, u.Keys[k.ID])

		kq, err := f.svc.UpdateUsage(ctx, tenantA, p.ID, k.ID, usage.UpdateUsageCommand{Extend: 2})
		require.NoError(t, err)
		assert.Equal(t, int64(2), kq.Remaining)
		dec, err := lim.Allow(ctx, &limit.Request{PlanID: p.ID, KeyID: k.ID, Quota: &q})
		require.NoError(t, err)
		assert.True(t, dec.Allowed())
	})
}
