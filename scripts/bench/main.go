// Command bench is the gateway's load test. It starts, on 127.0.0.1 only,
// a tiny upstream and an in-process gateway on the in-memory fleet bus,
// publishes a stage that proxies ANY /{proxy+} to the upstream, then runs
// wrk against the upstream directly and through the gateway, and prints
// requests/s, p50 and p99 of both and the gateway/upstream ratios.
//
//	go run ./scripts/bench [-duration 10s] [-connections 32] [-threads 2] [-access-log discard|off|stderr]
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/server"
)

const invokeHost = "bench.execute-api.localhost"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	duration := flag.Duration("duration", 10*time.Second, "wrk duration of each run")
	connections := flag.Int("connections", 32, "wrk connections")
	threads := flag.Int("threads", 2, "wrk threads")
	wrkPath := flag.String("wrk", "/usr/bin/wrk", "path of wrk")
	accessLog := flag.String("access-log", "discard", "gateway access log: discard (formatted, then dropped), off, or stderr")
	flag.Parse()

	if _, err := os.Stat(*wrkPath); err != nil {
		return fmt.Errorf("wrk not found at %s (install it or pass -wrk): %w", *wrkPath, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Upstream: a small fixed body.
	upLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	body := []byte("hello from upstream\n")
	up := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write(body)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = up.Serve(upLn) }()
	defer up.Close()
	upURL := "http://" + upLn.Addr().String()

	// Gateway: in-process, on the in-memory bus.
	var logOut io.Writer = io.Discard
	if *accessLog == "stderr" {
		logOut = os.Stderr
	}
	bus := fleet.NewMemory()
	defer bus.Close()
	err = bus.PutStage(ctx, &gwconfig.Stage{
		TenantID: "bench", APIID: "bench", StageName: "prod", DeploymentID: "d1",
		Routes: []gwconfig.Route{{RouteID: "r1", RouteKey: "ANY /{proxy+}", Integration: gwconfig.Integration{
			Type: gwconfig.IntegrationHTTPProxy, URI: upURL + "/{proxy}",
		}}},
	})
	if err != nil {
		return err
	}
	gw, err := server.New(server.Config{AccessLog: *accessLog != "off"}, bus, slog.New(slog.NewJSONHandler(logOut, nil)))
	if err != nil {
		return err
	}
	gwLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	gwDone := make(chan error, 1)
	go func() { gwDone <- gw.Serve(ctx, gwLn) }()
	gwURL := "http://" + gwLn.Addr().String()
	if err := waitReady(ctx, gw); err != nil {
		return err
	}
	if err := check(gwURL + "/prod/hello"); err != nil {
		return fmt.Errorf("gateway smoke request: %w", err)
	}

	fmt.Printf("wrk -t%d -c%d -d%s --latency, upstream %s, gateway %s (access log: %s)\n\n",
		*threads, *connections, *duration, upURL, gwURL, *accessLog)
	upRes, err := runWrk(*wrkPath, *threads, *connections, *duration, upURL+"/hello", "")
	if err != nil {
		return fmt.Errorf("wrk against the upstream: %w", err)
	}
	gwRes, err := runWrk(*wrkPath, *threads, *connections, *duration, gwURL+"/prod/hello", invokeHost)
	if err != nil {
		return fmt.Errorf("wrk against the gateway: %w", err)
	}

	fmt.Printf("%-9s %12s %10s %10s %8s\n", "target", "requests/s", "p50", "p99", "errors")
	for _, r := range []struct {
		name string
		res  wrkResult
	}{{"upstream", upRes}, {"gateway", gwRes}} {
		fmt.Printf("%-9s %12.0f %10s %10s %8d\n", r.name, r.res.rps, r.res.p50, r.res.p99, r.res.errors)
	}
	fmt.Printf("\ngateway/upstream: throughput %.2f, p50 %.2fx, p99 %.2fx\n",
		gwRes.rps/upRes.rps, float64(gwRes.p50)/float64(upRes.p50), float64(gwRes.p99)/float64(upRes.p99))

	cancel()
	if err := <-gwDone; err != nil {
		return err
	}
	if gwRes.errors > 0 || upRes.errors > 0 {
		return errors.New("some requests failed")
	}
	return nil
}

func waitReady(ctx context.Context, gw *server.Gateway) error {
	deadline := time.Now().Add(5 * time.Second)
	for !gw.Ready() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return errors.New("gateway did not become ready")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

func check(url string) error {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return err
	}
	req.Host = invokeHost
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return nil
}

type wrkResult struct {
	rps      float64
	p50, p99 time.Duration
	errors   int
}

func runWrk(path string, threads, conns int, d time.Duration, url, hostHeader string) (wrkResult, error) {
	args := []string{"-t" + strconv.Itoa(threads), "-c" + strconv.Itoa(conns), "-d" + strconv.Itoa(int(d.Seconds())) + "s", "--latency"}
	if hostHeader != "" {
		args = append(args, "-H", "Host: "+hostHeader)
	}
	args = append(args, url)
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("%v: %s", err, out)
	}
	return parseWrk(string(out))
}

var (
	rpsRE     = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	pctRE     = regexp.MustCompile(`^\s*(50|99)(?:\.000)?%\s+([0-9.]+)(us|ms|s)\s*$`)
	non2xxRE  = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
	socketsRE = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// parseWrk reads the summary of `wrk --latency`.
func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	m := rpsRE.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no Requests/sec in wrk output:\n%s", out)
	}
	r.rps, _ = strconv.ParseFloat(m[1], 64)
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		pm := pctRE.FindStringSubmatch(sc.Text())
		if pm == nil {
			continue
		}
		v, _ := strconv.ParseFloat(pm[2], 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[pm[3]]
		d := time.Duration(v * float64(unit))
		if pm[1] == "50" {
			r.p50 = d
		} else {
			r.p99 = d
		}
	}
	if r.p50 == 0 || r.p99 == 0 {
		return r, fmt.Errorf("no latency distribution in wrk output:\n%s", out)
	}
	if m := non2xxRE.FindStringSubmatch(out); m != nil {
		r.errors, _ = strconv.Atoi(m[1])
	}
	if m := socketsRE.FindStringSubmatch(out); m != nil {
		for _, s := range m[1:] {
			n, _ := strconv.Atoi(s)
			r.errors += n
		}
	}
	return r, nil
}
