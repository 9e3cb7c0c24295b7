package fleet

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// errClosed is returned by a bus after Close.
var errClosed = errors.New("fleet: bus closed")

func checkStage(s *gwconfig.Stage) error {
	if s == nil {
		return errors.New("fleet: nil stage")
	}
	if s.APIID == "" || s.StageName == "" {
		return errors.New("fleet: stage needs an api id and a stage name")
	}
	return nil
}

func checkHeartbeat(hb Heartbeat) error {
	if hb.GatewayID == "" {
		return errors.New("fleet: heartbeat needs a gateway id")
	}
	return nil
}

func decodeStage(b []byte) (*gwconfig.Stage, error) {
	var s gwconfig.Stage
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("fleet: decoding stage: %w", err)
	}
	return &s, nil
}

func sortStages(s []*gwconfig.Stage) {
	slices.SortFunc(s, func(a, b *gwconfig.Stage) int { return strings.Compare(a.Key(), b.Key()) })
}

func sortHeartbeats(h []Heartbeat) {
	slices.SortFunc(h, func(a, b Heartbeat) int { return strings.Compare(a.GatewayID, b.GatewayID) })
}
