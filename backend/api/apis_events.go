package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/backend/reqctx"
)

// deploymentEvents streams the deployment as Server-Sent Events: one
// "deployment" event now and one after every change of status or
// progress, found by re-reading the row; a comment keeps idle proxies from
// closing the stream. It ends after a terminal status or when the client
// goes.
func (m *APIsModule) deploymentEvents(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	apiID, id := c.Param("apiId"), c.Param("deploymentId")
	d, err := m.cfg.Service.GetDeployment(ctx, tenant, apiID, id)
	if err != nil {
		// Nothing is written yet: an ordinary error answer.
		return err
	}
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	// Tell nginx-style proxies not to buffer the stream.
	h.Set("X-Accel-Buffering", "no")
	c.Status(http.StatusOK)

	send := func(d *apis.Deployment) bool {
		b, err := json.Marshal(deploymentView(d))
		if err != nil {
			return false
		}
		if _, err := fmt.Fprintf(c.Writer, "event: deployment\ndata: %s\n\n", b); err != nil {
			return false
		}
		c.Writer.Flush()
		return true
	}
	if !send(d) || d.Terminal() {
		return nil
	}
	poll := time.NewTicker(m.cfg.PollInterval)
	defer poll.Stop()
	keepAlive := time.NewTicker(m.cfg.KeepAlive)
	defer keepAlive.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-keepAlive.C:
			if _, err := fmt.Fprint(c.Writer, ": keep-alive\n\n"); err != nil {
				return nil
			}
			c.Writer.Flush()
		case <-poll.C:
			cur, err := m.cfg.Service.GetDeployment(ctx, tenant, apiID, id)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				// Headers are out: say so in the stream and end it.
				m.log.WarnContext(ctx, "deployment stream ended", "deployment", id, "err", err)
				e := apierr.From(err)
				b, _ := json.Marshal(e.ToBody(reqctx.RequestID(ctx)))
				_, _ = fmt.Fprintf(c.Writer, "event: error\ndata: %s\n\n", b)
				c.Writer.Flush()
				return nil
			}
			if changed(d, cur) {
				d = cur
				if !send(d) {
					return nil
				}
			}
			if d.Terminal() {
				return nil
			}
		}
	}
}

func changed(a, b *apis.Deployment) bool {
	return a.Status != b.Status || a.StatusReason != b.StatusReason || len(a.Progress) != len(b.Progress) ||
		a.RouteCount != b.RouteCount || !a.UpdatedAt.Equal(b.UpdatedAt)
}
