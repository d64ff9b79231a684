// Command pushconsumer consumes a topic with the PushConsumer of the unchanged cgo client
// github.com/apache/rocketmq-client-go v1.2.4 (package core) on top of librocketmq, until every
// message the producer program reported has been consumed successfully, and prints one JSON line
// per callback invocation (record.Pushed "delivery", in callback order) and a final "summary".
//
//	pushconsumer -n 127.0.0.1:9876 -t TOPIC -g GROUP -expect sent.jsonl -go sent.done \
//	    [-ready FILE] [-model concurrently|orderly] [-reject KEY] [-threads 4] [-timeout 60]
//
// Sequence: Start(), create the -ready file, wait for the -go file (the producer has finished and
// -expect is complete), read the expected keys from -expect, wait until each has one successful
// delivery (or -timeout), Shutdown(). The callback returns ReConsumeLater on the first delivery
// of the message whose keys contain -reject, so that message must come back (reconsume times 1).
// Properties are read inside the callback (the message is valid there). Exit status 1 if anything
// is missing or a call failed.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/core"

	"rocketmq-tests-go/internal/record"
)

// Properties read in the callback.
var propNames = []string{"prop_text", "seq", "UNIQ_KEY", "KEYS", "TAGS", "__SHARDINGKEY", "RETRY_TOPIC", "DELAY"}

var start = time.Now()

func monoNs() int64 { return int64(time.Since(start)) }

func nowMs() int64 { return time.Now().UnixNano() / int64(time.Millisecond) }

func waitFile(path string, deadline time.Time) bool {
	for {
		if _, err := os.Stat(path); err == nil {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func readExpected(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var keys []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var s record.Sent
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		if s.Error == "" {
			keys = append(keys, s.Key)
		}
	}
	return keys, sc.Err()
}

func main() {
	namesrv := flag.String("n", "", "name server address host:port (required)")
	topic := flag.String("t", "", "topic (required)")
	group := flag.String("g", "", "consumer group (required)")
	model := flag.String("model", "concurrently", "concurrently | orderly")
	expect := flag.String("expect", "", "producer output: the keys to wait for (required)")
	goFile := flag.String("go", "", "read -expect once this file exists (default: at once)")
	ready := flag.String("ready", "", "file to create once the consumer has started")
	reject := flag.String("reject", "", "return ReConsumeLater on the first delivery of the message with this key")
	threads := flag.Int("threads", 4, "consume threads")
	timeout := flag.Duration("timeout", 60*time.Second, "deadline for the start signal and for all messages")
	flag.Parse()
	if *namesrv == "" || *topic == "" || *group == "" || *expect == "" {
		fmt.Fprintln(os.Stderr, "usage: pushconsumer -n host:port -t topic -g group -expect sent.jsonl [-go file] [-ready file] [-model concurrently|orderly] [-reject key]")
		os.Exit(2)
	}
	cm := rocketmq.CoCurrently
	if *model == "orderly" {
		cm = rocketmq.Orderly
	} else if *model != "concurrently" {
		fmt.Fprintln(os.Stderr, "-model must be concurrently or orderly")
		os.Exit(2)
	}

	out := json.NewEncoder(os.Stdout)
	out.SetEscapeHTML(false)
	summary := record.Pushed{Kind: "summary", Consumer: *model}
	finish := func(code int) {
		_ = out.Encode(summary)
		os.Exit(code)
	}

	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	var deliveries []record.Pushed
	consumed := map[string]bool{} // keys with a successful delivery
	rejected := false

	c, err := rocketmq.NewPushConsumer(&rocketmq.PushConsumerConfig{
		ClientConfig:  rocketmq.ClientConfig{GroupID: *group, NameServer: *namesrv},
		ThreadCount:   *threads,
		Model:         rocketmq.Clustering,
		ConsumerModel: cm,
	})
	if err != nil {
		summary.Error = "NewPushConsumer: " + err.Error()
		finish(1)
	}
	err = c.Subscribe(*topic, "*", func(m *rocketmq.MessageExt) rocketmq.ConsumeStatus {
		d := record.Pushed{
			Kind: "delivery", Consumer: *model, EnterNs: monoNs(), ReceivedMs: nowMs(),
			Topic: m.Topic, Tags: m.Tags, Keys: m.Keys, Body: m.Body, MsgID: m.MessageID,
			QueueID: m.QueueId, QueueOffset: m.QueueOffset, CommitLogOffset: m.CommitLogOffset,
			ReconsumeTimes: m.ReconsumeTimes, StoreSize: m.StoreSize, BornTimestamp: m.BornTimestamp,
			StoreTimestamp: m.StoreTimestamp, DelayLevel: m.DelayTimeLevel,
			PreparedTransactionOffset: m.PreparedTransactionOffset,
			Properties:                map[string]string{},
		}
		for _, p := range propNames {
			if v := m.GetProperty(p); v != "" {
				d.Properties[p] = v
			}
		}
		status := rocketmq.ConsumeSuccess
		mu.Lock()
		if *reject != "" && record.HasKey(m.Keys, *reject) && !rejected {
			rejected = true
			status = rocketmq.ReConsumeLater
		}
		mu.Unlock()
		// Orderly: a little time in the callback so that overlapping callbacks of one queue
		// would show in the enter/exit times.
		if cm == rocketmq.Orderly {
			time.Sleep(5 * time.Millisecond)
		}
		d.Result = status.String()
		d.ExitNs = monoNs()
		mu.Lock()
		deliveries = append(deliveries, d)
		if status == rocketmq.ConsumeSuccess {
			for _, k := range strings.Fields(m.Keys) {
				consumed[k] = true
			}
		}
		cond.Broadcast()
		mu.Unlock()
		return status
	})
	if err != nil {
		summary.Error = "Subscribe: " + err.Error()
		finish(1)
	}
	t0 := time.Now()
	if err := c.Start(); err != nil {
		summary.Error = "Start: " + err.Error()
		finish(1)
	}
	summary.StartMs = time.Since(t0).Milliseconds()
	if *ready != "" {
		if err := os.WriteFile(*ready, []byte("ready\n"), 0o644); err != nil {
			summary.Error = "ready file: " + err.Error()
		}
	}

	deadline := time.Now().Add(*timeout)
	var keys []string
	if *goFile != "" && !waitFile(*goFile, deadline) {
		summary.Error = "no start signal " + *goFile
	} else if keys, err = readExpected(*expect); err != nil {
		summary.Error = "expected keys: " + err.Error()
	}
	summary.Expected = len(keys)
	signal := time.Now()
	deadline = signal.Add(*timeout)

	// Wait (condition variable, woken by deliveries and a ticker) until every key is consumed.
	stopTick := make(chan struct{})
	go func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stopTick:
				return
			case <-t.C:
				cond.Broadcast()
			}
		}
	}()
	missing := func() int {
		n := 0
		for _, k := range keys {
			if !consumed[k] {
				n++
			}
		}
		return n
	}
	mu.Lock()
	for summary.Error == "" && missing() > 0 && time.Now().Before(deadline) {
		cond.Wait()
	}
	summary.Missing = missing()
	if summary.Missing == 0 {
		summary.AllInMs = time.Since(signal).Milliseconds()
	}
	mu.Unlock()
	close(stopTick)

	t0 = time.Now()
	shutdownErr := c.Shutdown()
	summary.ShutdownMs = time.Since(t0).Milliseconds()
	if shutdownErr != nil && summary.Error == "" {
		summary.Error = "Shutdown: " + shutdownErr.Error()
	}

	mu.Lock()
	for _, d := range deliveries {
		_ = out.Encode(d)
	}
	mu.Unlock()
	if summary.Error != "" || summary.Missing > 0 {
		finish(1)
	}
	finish(0)
}
