package server

import (
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/turnpike/turnpike/gateway/accesslog"
	"github.com/turnpike/turnpike/gateway/pipeline"
	"github.com/turnpike/turnpike/gateway/router"
)

// stageLog is a stage's compiled access log: its format and the writer of
// its destination.
type stageLog struct {
	format *accesslog.Format
	writer accesslog.Writer
}

// stageLog compiles a stage's access log settings; a destination the
// gateway cannot open is logged and the stage serves without its access
// log.
func (g *Gateway) stageLog(st *router.Stage) *stageLog {
	al := st.Config.AccessLog
	if al == nil {
		return nil
	}
	f, err := accesslog.Compile(al.Format)
	if err == nil {
		var w accesslog.Writer
		if w, err = g.cfg.AccessLogs.Writer(al.Destination); err == nil {
			return &stageLog{format: f, writer: w}
		}
	}
	g.logger.Error("stage access log disabled", "stage", st.Key, "error", err)
	return nil
}

var lineBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

var recordPool = sync.Pool{New: func() any { return new(accesslog.Record) }}

func (l *stageLog) write(r *http.Request, st *requestState, status int, latency time.Duration, err error) {
	rec := recordPool.Get().(*accesslog.Record)
	c := st.ex.Match.Stage.Config
	*rec = accesslog.Record{
		RequestID:          st.ex.RequestID,
		SourceIP:           sourceIP(r),
		UserAgent:          r.UserAgent(),
		APIKeyID:           st.ex.APIKeyID,
		Caller:             st.ex.IAMPrincipalID,
		AccessKey:          st.ex.IAMAccessKeyID,
		HTTPMethod:         r.Method,
		Path:               r.URL.Path,
		RouteKey:           st.ex.Match.Route.Key,
		Protocol:           r.Proto,
		TenantID:           c.TenantID,
		APIID:              c.APIID,
		Stage:              c.StageName,
		DeploymentID:       c.DeploymentID,
		DomainName:         r.Host,
		Status:             status,
		ResponseLength:     st.rec.written,
		RequestTime:        st.ex.Start,
		ResponseLatency:    latency,
		IntegrationLatency: st.ex.IntegrationLatency,
	}
	if err != nil {
		rec.ErrorMessage = errorMessage(status)
		var he *pipeline.HandlerError
		if errors.As(err, &he) {
			rec.ErrorType = he.Code
		}
	}
	buf := lineBufs.Get().(*[]byte)
	*buf = l.format.AppendLine((*buf)[:0], rec)
	l.writer.Write(rec, *buf)
	lineBufs.Put(buf)
	*rec = accesslog.Record{}
	recordPool.Put(rec)
}

// errorMessage is $context.error.message: the message the caller got.
func errorMessage(status int) string {
	switch status {
	case http.StatusGatewayTimeout:
		return "Endpoint request timed out"
	case http.StatusInternalServerError:
		return "Internal server error"
	case pipeline.StatusClientClosed:
		return "Client closed request"
	}
	return http.StatusText(status)
}

// flushAccessLogs writes out buffered access log lines when the gateway
// stops.
func (g *Gateway) flushAccessLogs() {
	if err := g.cfg.AccessLogs.Close(); err != nil {
		g.logger.Warn("flushing access logs", "error", err)
	}
}
