package server

import (
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/router"
)

// targetGroups collects the target groups of every served stage; the
// gateway keeps one pool and one health checker per group.
func targetGroups(stages []*router.Stage) map[string]gwconfig.TargetGroup {
	out := map[string]gwconfig.TargetGroup{}
	for _, st := range stages {
		for id, g := range st.Config.TargetGroups {
			if g.TenantID == st.Config.TenantID {
				out[id] = g
			}
		}
	}
	return out
}
