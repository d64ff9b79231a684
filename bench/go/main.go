// Go producer/consumer benchmark: this project's Go binding (bindings/go) against the pure Go
// client github.com/apache/rocketmq-client-go/v2 v2.1.1, same API, same broker. One case per
// process (bench/go/run.sh runs them all), so CPU time (getrusage) and threads are the case's.
//
//	go run . -client ours|v2 -case sync1|sync8|fill|push -namesrv ADDR -topic T [-seconds 10] [-n 20000]
//
// Prints one line: client case messages seconds msgs/s cpu-µs/msg threads.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// client is one of the two implementations (ours.go, v2.go).
type client interface {
	// producer starts a producer; send sends one message synchronously.
	producer(namesrv string) (send func(topic string, body []byte) error, stop func(), err error)
	// consume starts a push consumer of topic from its first offset and calls got per message
	// until stop.
	consume(namesrv, topic, group string, got func()) (stop func(), err error)
}

var clients = map[string]client{}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// switches counts the process's context switches so far: voluntary (a thread blocked or slept)
// and involuntary (preempted; depends on the machine's load).
func switches() [2]int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return [2]int64{ru.Nvcsw, ru.Nivcsw}
}

func threads() string {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "Threads:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "Threads:"))
		}
	}
	return "?"
}

func main() {
	which := flag.String("client", "ours", "ours or v2")
	kind := flag.String("case", "sync1", "sync1, sync8, fill or push")
	namesrv := flag.String("namesrv", "127.0.0.1:9876", "name server")
	topic := flag.String("topic", "", "topic")
	seconds := flag.Float64("seconds", 10, "duration of a send case")
	n := flag.Int("n", 20000, "messages of fill / push")
	profile := flag.String("cpuprofile", "", "write a Go CPU profile here")
	flag.Parse()
	if *profile != "" {
		f, err := os.Create(*profile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	c := clients[*which]
	if c == nil || *topic == "" {
		fmt.Fprintln(os.Stderr, "need -client ours|v2 and -topic")
		os.Exit(2)
	}
	body := []byte(strings.Repeat("x", 1024))
	fail := func(err error) {
		fmt.Fprintf(os.Stderr, "%s %s: %v\n", *which, *kind, err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
	switch *kind {
	case "sync1", "sync8", "fill":
		send, stop, err := c.producer(*namesrv)
		if err != nil {
			fail(err)
		}
		for i := 0; i < 200; i++ { // warm-up: routes, connections
			if err := send(*topic, body); err != nil {
				fail(err)
			}
		}
		workers := 1
		if *kind == "sync8" || *kind == "fill" {
			workers = 8
		}
		var count, errs atomic.Int64
		deadline := time.Now().Add(time.Duration(*seconds * float64(time.Second)))
		cpu0, sw0, t0 := cpuTime(), switches(), time.Now()
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					if *kind == "fill" {
						if count.Add(1) > int64(*n) {
							count.Add(-1)
							return
						}
					} else if time.Now().After(deadline) {
						return
					}
					if err := send(*topic, body); err != nil {
						errs.Add(1)
						if *kind == "fill" {
							count.Add(-1)
						}
						continue
					}
					if *kind != "fill" {
						count.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		elapsed, cpu, sw := time.Since(t0), cpuTime()-cpu0, sub(switches(), sw0)
		th := threads()
		stop()
		report(*which, *kind, count.Load(), elapsed, cpu, sw, th, errs.Load())
	case "push":
		var got atomic.Int64
		done := make(chan struct{})
		cpu0, sw0, t0 := cpuTime(), switches(), time.Now()
		stop, err := c.consume(*namesrv, *topic, fmt.Sprintf("bench_go_%s_%d", *which, time.Now().UnixNano()), func() {
			if got.Add(1) == int64(*n) {
				close(done)
			}
		})
		if err != nil {
			fail(err)
		}
		select {
		case <-done:
		case <-time.After(5 * time.Minute):
			fmt.Fprintf(os.Stderr, "push: %d of %d after 5 min\n", got.Load(), *n)
		}
		elapsed, cpu, sw := time.Since(t0), cpuTime()-cpu0, sub(switches(), sw0)
		th := threads()
		stop()
		report(*which, *kind, got.Load(), elapsed, cpu, sw, th, 0)
	default:
		fail(fmt.Errorf("unknown case"))
	}
}

func sub(a, b [2]int64) [2]int64 { return [2]int64{a[0] - b[0], a[1] - b[1]} }

func report(which, kind string, n int64, elapsed, cpu time.Duration, sw [2]int64, threads string, errs int64) {
	rate, perMsg, vcsw, ivcsw := 0.0, 0.0, 0.0, 0.0
	if n > 0 {
		rate = float64(n) / elapsed.Seconds()
		perMsg = float64(cpu.Microseconds()) / float64(n)
		vcsw, ivcsw = float64(sw[0])/float64(n), float64(sw[1])/float64(n)
	}
	fmt.Printf("%-5s %-6s %8d msgs %6.1f s %9.0f msgs/s %7.1f µs-cpu/msg %4s threads %d errors %5.2f vcsw/msg %5.2f ivcsw/msg\n",
		which, kind, n, elapsed.Seconds(), rate, perMsg, threads, errs, vcsw, ivcsw)
}
