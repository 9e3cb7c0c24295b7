// Command bench is the gateway's load test (make bench). On loopback, in
// one run, it starts an upstream and, one at a time, each target as its own
// process (scripts/bench/server) pinned to core 1, while wrk, the upstream
// and Redis run on core 0:
//
//	floor   a minimal httputil.ReverseProxy with a shared buffer pool
//	plain   the gateway: routing, metrics, stage access log (JSON, buffered file)
//	cache   the gateway answering from its in-process stage cache
//	limits  the gateway with an API key, usage plan throttle and quota on Redis (one round trip)
//
// For each it prints requests/s, p50 and p99 under load, requests per
// second of the target's own CPU time (utime+stime from /proc/<pid>/stat),
// the ratio of that to the floor's in the same round, and the unloaded p50
// (one connection) minus the upstream's own. Rounds are interleaved,
// because this machine's speed drifts; the summary takes each figure's
// median over the rounds.
//
//	go run ./scripts/bench [-rounds 3] [-duration 5s] [-connections 32] [-scenarios floor,plain,cache,limits] [-baseline BIN] [-profile DIR]
//
// -baseline runs each gateway scenario a second time on a bench server
// built from another revision, in the same rounds, so a change is compared
// under the same machine noise. -profile keeps each target's CPU and
// allocation profiles.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	invokeHost = "bench.execute-api.localhost"
	apiKey     = "bench-key-0123456789abcdef" // server.APIKey
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type options struct {
	rounds      int
	duration    time.Duration
	unloaded    time.Duration
	connections int
	scenarios   []string
	wrk         string
	redis       string
	pin         bool
	pinRedis    bool
	profile     string
	baseline    string
}

// target is one row of a round: a scenario run by a bench server binary.
type target struct {
	name, scenario, bin string
}

func run() error {
	var o options
	var scenarios string
	flag.IntVar(&o.rounds, "rounds", 3, "interleaved rounds")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "wrk duration of each loaded run")
	flag.DurationVar(&o.unloaded, "unloaded", 2*time.Second, "wrk duration of each one-connection run")
	flag.IntVar(&o.connections, "connections", 32, "wrk connections under load")
	flag.StringVar(&scenarios, "scenarios", "floor,plain,cache,limits", "targets, in round order (floor first: the ratios need it)")
	flag.StringVar(&o.wrk, "wrk", "/usr/bin/wrk", "path of wrk")
	flag.StringVar(&o.redis, "redis", "127.0.0.1:6379", "Redis of the limits scenario")
	flag.BoolVar(&o.pin, "pin", true, "pin the target to core 1 and everything else to core 0 (needs 2 cores and taskset)")
	flag.BoolVar(&o.pinRedis, "pin-redis", true, "move redis-server to core 0 for the run (its affinity is restored after)")
	flag.StringVar(&o.baseline, "baseline", "", "a bench server built from another revision (go build -o X ./scripts/bench/server there): each gateway scenario also runs on it, as <scenario>@base, in the same rounds")
	flag.StringVar(&o.profile, "profile", "", "write each target's CPU and allocation profiles into this directory (<scenario>-<round>.cpu, .allocs)")
	flag.Parse()
	o.scenarios = strings.Split(scenarios, ",")

	if _, err := os.Stat(o.wrk); err != nil {
		return fmt.Errorf("wrk not found at %s (install it or pass -wrk): %w", o.wrk, err)
	}
	if o.pin && (runtime.NumCPU() < 2 || exec.Command("taskset", "-V").Run() != nil) {
		fmt.Println("note: fewer than 2 cores or no taskset: running unpinned")
		o.pin = false
	}
	if o.pin {
		// This process (the upstream) and its children (wrk) on core 0.
		if out, err := exec.Command("taskset", "-a", "-p", "-c", "0", strconv.Itoa(os.Getpid())).CombinedOutput(); err != nil {
			return fmt.Errorf("pinning the bench to core 0: %v: %s", err, out)
		}
		if o.pinRedis && slices.Contains(o.scenarios, "limits") {
			restore := pinRedis()
			defer restore()
		}
	}

	bin, err := buildServer()
	if err != nil {
		return err
	}
	upURL, stopUp, err := startUpstream()
	if err != nil {
		return err
	}
	defer stopUp()

	var targets []target
	for _, sc := range o.scenarios {
		targets = append(targets, target{sc, sc, bin})
		if o.baseline != "" && sc != "floor" {
			targets = append(targets, target{sc + "@base", sc, o.baseline})
		}
	}
	fmt.Printf("%d rounds of %s; loaded: wrk -t2 -c%d %s; unloaded: wrk -t1 -c1 %s; target pinned: %v\n",
		o.rounds, strings.Join(o.scenarios, ", "), o.connections, o.duration, o.unloaded, o.pin)
	fmt.Println("rps/cpu-s: requests per second of the target's own CPU time; ratio: rps/cpu-s over the floor's in the same round;")
	fmt.Println("added p50: unloaded p50 through the target minus the upstream's own unloaded p50")
	results := map[string][]result{}
	for round := 1; round <= o.rounds; round++ {
		base, err := runWrk(o.wrk, 1, 1, o.unloaded, upURL+"/hello", nil)
		if err != nil {
			return fmt.Errorf("wrk against the upstream: %w", err)
		}
		fmt.Printf("\nround %d (upstream unloaded p50 %s; load average %s)\n", round, base.p50, loadAverage())
		printHeader()
		var floor *result
		for _, t := range targets {
			r, err := measure(o, t, upURL, round)
			if err != nil {
				return fmt.Errorf("round %d, %s: %w", round, t.name, err)
			}
			r.addedP50 = r.unloadedP50 - base.p50
			if t.scenario == "floor" {
				floor = &r
			}
			if floor != nil && floor.perCPU > 0 {
				r.ratio = r.perCPU / floor.perCPU
			}
			results[t.name] = append(results[t.name], r)
			printRow(t.name, r)
		}
	}
	fmt.Printf("\nmedian of %d rounds\n", o.rounds)
	printHeader()
	for _, t := range targets {
		printRow(t.name, median(results[t.name]))
	}
	for _, t := range targets {
		for _, r := range results[t.name] {
			if r.errors > 0 {
				return fmt.Errorf("%s: %d failed requests", t.name, r.errors)
			}
		}
	}
	return nil
}

type result struct {
	rps, perCPU, ratio  float64
	p50, p99            time.Duration
	unloadedP50         time.Duration
	addedP50            time.Duration
	errors              int
	cpuSeconds, seconds float64
}

func printHeader() {
	fmt.Printf("%-12s %10s %9s %9s %10s %7s %10s %10s %7s\n", "target", "req/s", "p50", "p99", "rps/cpu-s", "ratio", "cpu used", "added p50", "errors")
}

func printRow(name string, r result) {
	ratio := "-"
	if r.ratio > 0 {
		ratio = fmt.Sprintf("%.2f", r.ratio)
	}
	fmt.Printf("%-12s %10.0f %9s %9s %10.0f %7s %9.0f%% %10s %7d\n", name, r.rps, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.perCPU, ratio,
		100*r.cpuSeconds/r.seconds, r.addedP50.Round(time.Microsecond), r.errors)
}

func median(rs []result) result {
	pick := func(f func(r result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	var m result
	m.rps = pick(func(r result) float64 { return r.rps })
	m.perCPU = pick(func(r result) float64 { return r.perCPU })
	m.ratio = pick(func(r result) float64 { return r.ratio })
	m.p50 = time.Duration(pick(func(r result) float64 { return float64(r.p50) }))
	m.p99 = time.Duration(pick(func(r result) float64 { return float64(r.p99) }))
	m.addedP50 = time.Duration(pick(func(r result) float64 { return float64(r.addedP50) }))
	m.cpuSeconds = pick(func(r result) float64 { return r.cpuSeconds / r.seconds })
	m.seconds = 1
	for _, r := range rs {
		m.errors += r.errors
	}
	return m
}

// measure starts the target, warms it up, runs wrk under load while
// reading the target's CPU time, then once more with one connection.
func measure(o options, t target, upURL string, round int) (result, error) {
	var r result
	bin, scenario := t.bin, t.scenario
	args := []string{"-mode", scenario, "-listen", "127.0.0.1:0", "-upstream", upURL, "-redis", o.redis,
		"-access-log-dir", os.TempDir()}
	if o.profile != "" {
		base := filepath.Join(o.profile, fmt.Sprintf("%s-%d", t.name, round))
		args = append(args, "-cpuprofile", base+".cpu", "-memprofile", base+".allocs")
	}
	name := bin
	if o.pin {
		args = append([]string{"-c", "1", bin}, args...)
		name = "taskset"
	}
	cmd := exec.Command(name, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return r, err
	}
	if err := cmd.Start(); err != nil {
		return r, err
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	addr, err := readAddr(out)
	if err != nil {
		return r, err
	}
	target := "http://" + addr + "/prod/hello"
	headers := []string{"Host: " + invokeHost}
	if scenario == "limits" {
		headers = append(headers, "x-api-key: "+apiKey)
	}
	if err := check(target, headers); err != nil {
		return r, fmt.Errorf("smoke request: %w", err)
	}
	if _, err := runWrk(o.wrk, 2, o.connections, time.Second, target, headers); err != nil {
		return r, fmt.Errorf("warm-up: %w", err)
	}
	cpu0, err := cpuSeconds(cmd.Process.Pid)
	if err != nil {
		return r, err
	}
	t0 := time.Now()
	loaded, err := runWrk(o.wrk, 2, o.connections, o.duration, target, headers)
	if err != nil {
		return r, err
	}
	r.seconds = time.Since(t0).Seconds()
	cpu1, err := cpuSeconds(cmd.Process.Pid)
	if err != nil {
		return r, err
	}
	r.cpuSeconds = cpu1 - cpu0
	r.rps, r.p50, r.p99, r.errors = loaded.rps, loaded.p50, loaded.p99, loaded.errors
	if loaded.errors > 0 {
		fmt.Printf("  (%s under load: %s)\n", scenario, loaded.detail)
	}
	if r.cpuSeconds > 0 {
		r.perCPU = float64(loaded.requests) / r.cpuSeconds
	}
	unloaded, err := runWrk(o.wrk, 1, 1, o.unloaded, target, headers)
	if err != nil {
		return r, err
	}
	r.unloadedP50 = unloaded.p50
	r.errors += unloaded.errors
	return r, nil
}

func readAddr(out io.Reader) (string, error) {
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
				lines <- a
				break
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case a := <-lines:
		return a, nil
	case <-time.After(20 * time.Second):
		return "", errors.New("target did not start listening within 20s")
	}
}

// cpuSeconds is utime+stime of a process, from /proc/<pid>/stat.
func cpuSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; fields start after its ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	// utime and stime are fields 14 and 15 of the whole line: 12 and 13 here.
	ut, err1 := strconv.ParseFloat(f[11], 64)
	st, err2 := strconv.ParseFloat(f[12], 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return (ut + st) / clockTicks, nil
}

// loadAverage is the machine's 1-minute load average, to judge how noisy a
// round was (other processes compete for both cores).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

// clockTicks is USER_HZ, 100 on every Linux this runs on.
const clockTicks = 100

func buildServer() (string, error) {
	dir, err := os.MkdirTemp("", "turnpike-bench")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "bench-server")
	out, err := exec.Command("go", "build", "-o", bin, "./scripts/bench/server").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("building the bench server: %v: %s", err, out)
	}
	return bin, nil
}

func startUpstream() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	body := []byte("hello from upstream\n")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write(body)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// pinRedis moves a local redis-server to core 0 and returns what restores
// its previous affinity. Without one (or without permission) it does
// nothing and says so.
func pinRedis() func() {
	out, err := exec.Command("pidof", "redis-server").Output()
	pids := strings.Fields(string(out))
	if err != nil || len(pids) == 0 {
		fmt.Println("note: no local redis-server process to pin; Redis runs where it runs")
		return func() {}
	}
	var restores []func()
	for _, pid := range pids {
		prev, err := exec.Command("taskset", "-p", pid).Output()
		if err != nil {
			continue
		}
		mask := strings.TrimSpace(string(prev[strings.LastIndexByte(string(prev), ':')+1:]))
		if err := exec.Command("taskset", "-a", "-p", "-c", "0", pid).Run(); err != nil {
			fmt.Println("note: could not pin redis-server:", err)
			continue
		}
		restores = append(restores, func() { _ = exec.Command("taskset", "-a", "-p", mask, pid).Run() })
	}
	return func() {
		for _, r := range restores {
			r()
		}
	}
}

func check(url string, headers []string) error {
	req, err := http.NewRequestWithContext(context.Background(), "GET", url, nil)
	if err != nil {
		return err
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
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
	requests int64
	p50, p99 time.Duration
	errors   int    // non-2xx answers and socket errors
	detail   string // wrk's error lines, when there are errors
}

func runWrk(path string, threads, conns int, d time.Duration, url string, headers []string) (wrkResult, error) {
	secs := max(1, int(d.Round(time.Second).Seconds()))
	args := []string{"-t" + strconv.Itoa(threads), "-c" + strconv.Itoa(conns), "-d" + strconv.Itoa(secs) + "s", "--latency"}
	for _, h := range headers {
		args = append(args, "-H", h)
	}
	args = append(args, url)
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("%v: %s", err, out)
	}
	return parseWrk(string(out))
}

var (
	rpsRE      = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	requestsRE = regexp.MustCompile(`(\d+) requests in`)
	pctRE      = regexp.MustCompile(`^\s*(50|99)(?:\.000)?%\s+([0-9.]+)(us|ms|s)\s*$`)
	non2xxRE   = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
	socketsRE  = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// parseWrk reads the summary of `wrk --latency`.
func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	m := rpsRE.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no Requests/sec in wrk output:\n%s", out)
	}
	r.rps, _ = strconv.ParseFloat(m[1], 64)
	if m := requestsRE.FindStringSubmatch(out); m != nil {
		r.requests, _ = strconv.ParseInt(m[1], 10, 64)
	}
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
		r.detail = m[0]
	}
	if m := socketsRE.FindStringSubmatch(out); m != nil {
		for _, s := range m[1:] {
			n, _ := strconv.Atoi(s)
			r.errors += n
		}
		if r.errors > 0 {
			r.detail = strings.TrimSpace(r.detail + "; " + m[0])
		}
	}
	return r, nil
}
