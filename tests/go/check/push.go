package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"rocketmq-tests-go/internal/record"
)

// checkPush compares the push consumer's deliveries with what was sent (by key) and with the
// pulled copies (by message id, when readPath is given). Returns the exit status.
func checkPush(sentPath, pushPath, readPath, reject string) int {
	var sent []record.Sent
	var deliveries []record.Pushed
	var summary *record.Pushed
	pulled := map[string]record.Read{}
	err := readLines(sentPath, func(b []byte) error {
		var s record.Sent
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		sent = append(sent, s)
		return nil
	})
	if err == nil {
		err = readLines(pushPath, func(b []byte) error {
			var p record.Pushed
			if err := json.Unmarshal(b, &p); err != nil {
				return err
			}
			switch p.Kind {
			case "delivery":
				deliveries = append(deliveries, p)
			case "summary":
				summary = &p
			}
			return nil
		})
	}
	if err == nil && readPath != "" {
		err = readLines(readPath, func(b []byte) error {
			var r record.Read
			if err := json.Unmarshal(b, &r); err != nil {
				return err
			}
			if r.Kind == "message" && r.MsgID != "" {
				pulled[r.MsgID] = r
			}
			return nil
		})
	}
	if err != nil {
		fmt.Println("error:", err)
		fmt.Println("0 passed, 1 failed")
		return 1
	}

	model := "push"
	if summary != nil {
		model = "push-" + summary.Consumer
	}
	passed, failed := 0, 0
	result := func(what string, problems []string) {
		if len(problems) == 0 {
			passed++
			fmt.Printf("ok   %-18s %s\n", model, what)
		} else {
			failed++
			fmt.Printf("FAIL %-18s %s: %s\n", model, what, strings.Join(problems, "; "))
		}
	}

	// The run: a summary line that says everything arrived and the calls succeeded.
	{
		var problems []string
		switch {
		case summary == nil:
			problems = append(problems, "no summary line (pushconsumer crashed or was killed?)")
		default:
			if summary.Error != "" {
				problems = append(problems, summary.Error)
			}
			if summary.Missing > 0 {
				problems = append(problems, fmt.Sprintf("%d of %d messages not consumed in time", summary.Missing, summary.Expected))
			}
			if summary.ShutdownMs > 15000 {
				problems = append(problems, fmt.Sprintf("Shutdown took %d ms", summary.ShutdownMs))
			}
		}
		what := "run"
		if summary != nil {
			what = fmt.Sprintf("run (start %d ms, all %d consumed after %d ms, shutdown %d ms, %d callbacks)",
				summary.StartMs, summary.Expected-summary.Missing, summary.AllInMs, summary.ShutdownMs, len(deliveries))
		}
		result(what, problems)
	}

	matched := make([]bool, len(deliveries))
	for _, s := range sent {
		var problems []string
		var ds []record.Pushed
		for i, d := range deliveries {
			if record.HasKey(d.Keys, s.Key) {
				ds = append(ds, d)
				matched[i] = true
			}
		}
		eq := func(what string, got, want interface{}) {
			if got != want {
				problems = append(problems, fmt.Sprintf("%s: got %q, want %q", what, fmt.Sprint(got), fmt.Sprint(want)))
			}
		}
		wantResults := []string{"ConsumeSuccess"}
		if reject != "" && s.Key == reject {
			wantResults = []string{"ReConsumeLater", "ConsumeSuccess"}
		}
		var results []string
		for _, d := range ds {
			results = append(results, fmt.Sprintf("%s(reconsume %d)", d.Result, d.ReconsumeTimes))
		}
		switch {
		case s.Error != "":
			problems = append(problems, "send failed: "+s.Error)
		case len(ds) != len(wantResults):
			problems = append(problems, fmt.Sprintf("%d deliveries %v, want %d", len(ds), results, len(wantResults)))
		}
		for n, d := range ds {
			if n >= len(wantResults) {
				break
			}
			eq(fmt.Sprintf("delivery %d result", n), d.Result, wantResults[n])
			eq(fmt.Sprintf("delivery %d reconsumeTimes", n), d.ReconsumeTimes, n)
			eq("topic", d.Topic, s.Topic)
			eq("tags", d.Tags, s.Tags)
			eq("keys", d.Keys, s.Key)
			eq("body", d.Body, s.Body)
			eq("preparedTransactionOffset", d.PreparedTransactionOffset, int64(0))
			if s.Kind == "oneway" {
				if d.MsgID == "" {
					problems = append(problems, "empty message id")
				}
			} else {
				eq("msgId", d.MsgID, s.MsgID)
			}
			eq("property UNIQ_KEY", d.Properties["UNIQ_KEY"], d.MsgID)
			eq("property KEYS", d.Properties["KEYS"], s.Key)
			eq("property TAGS", d.Properties["TAGS"], s.Tags)
			for k, v := range s.Properties {
				eq("property "+k, d.Properties[k], v)
			}
			if s.ShardingKey != "" {
				eq("property __SHARDINGKEY", d.Properties["__SHARDINGKEY"], s.ShardingKey)
			}
			if d.StoreSize <= 0 {
				problems = append(problems, fmt.Sprintf("storeSize %d not > 0", d.StoreSize))
			}
			if s.SendFromMs > 0 && (d.BornTimestamp < s.SendFromMs-1000 || d.BornTimestamp > s.SendToMs+1000) {
				problems = append(problems, fmt.Sprintf("bornTimestamp %d outside the send call [%d, %d]", d.BornTimestamp, s.SendFromMs, s.SendToMs))
			}
			if d.StoreTimestamp < d.BornTimestamp-1000 || d.StoreTimestamp > d.ReceivedMs+1000 {
				problems = append(problems, fmt.Sprintf("storeTimestamp %d not in [born %d, received %d]", d.StoreTimestamp, d.BornTimestamp, d.ReceivedMs))
			}
			if n > 0 {
				// Redelivered through the retry topic: the original topic again, after the retry delay.
				if gap := (d.EnterNs - ds[n-1].ExitNs) / 1e6; gap < 500 {
					problems = append(problems, fmt.Sprintf("redelivered after %d ms, want the retry delay (>= 1 s)", gap))
				}
				if rt := d.Properties["RETRY_TOPIC"]; rt != "" && rt != s.Topic {
					problems = append(problems, "property RETRY_TOPIC "+rt)
				}
				continue
			}
			// First delivery: the stored message itself. (A redelivery through the retry topic
			// carries the broker's retry delay level in DELAY; not checked.)
			eq("delayLevel", d.DelayLevel, 0)
			if s.Kind != "oneway" {
				eq("queueOffset (SendResult.offset)", d.QueueOffset, s.Offset)
			}
			if s.Kind == "orderly" {
				eq("queueId (selector's choice)", d.QueueID, s.QueueID)
			}
			if readPath != "" {
				p, ok := pulled[d.MsgID]
				if !ok {
					problems = append(problems, "not in the pull reader's output")
				} else {
					eq("queueId vs pulled", d.QueueID, p.QueueID)
					eq("queueOffset vs pulled", d.QueueOffset, p.QueueOffset)
					eq("commitLogOffset vs pulled", d.CommitLogOffset, p.CommitLogOffset)
					eq("storeSize vs pulled", d.StoreSize, p.StoreSize)
					eq("bornTimestamp vs pulled", d.BornTimestamp, p.BornTimestamp)
					eq("storeTimestamp vs pulled", d.StoreTimestamp, p.StoreTimestamp)
				}
			}
		}
		what := fmt.Sprintf("%-8s %s", s.Kind, s.Key)
		if len(wantResults) > 1 {
			what += " (rejected once)"
		}
		result(what, problems)
	}
	if len(sent) == 0 {
		result("sent", []string{"the producer reported no sends"})
	}

	// Nothing else: the topic is fresh, every delivery belongs to a sent message.
	var stray []string
	for i, d := range deliveries {
		if !matched[i] {
			stray = append(stray, fmt.Sprintf("%s(keys %q)", d.MsgID, d.Keys))
		}
	}
	if len(stray) > 0 {
		result("unexpected deliveries", stray)
	}

	// Orderly: per queue, first deliveries in queue-offset order and never two callbacks at once.
	if summary != nil && summary.Consumer == "orderly" {
		var problems []string
		byQueue := map[int][]record.Pushed{}
		for _, d := range deliveries {
			byQueue[d.QueueID] = append(byQueue[d.QueueID], d)
		}
		for q, ds := range byQueue {
			sort.SliceStable(ds, func(i, j int) bool { return ds[i].EnterNs < ds[j].EnterNs })
			for i := 1; i < len(ds); i++ {
				if ds[i].EnterNs < ds[i-1].ExitNs {
					problems = append(problems, fmt.Sprintf("queue %d: callbacks for offsets %d and %d overlapped", q, ds[i-1].QueueOffset, ds[i].QueueOffset))
				}
				if ds[i].QueueOffset < ds[i-1].QueueOffset {
					problems = append(problems, fmt.Sprintf("queue %d: offset %d consumed after %d", q, ds[i].QueueOffset, ds[i-1].QueueOffset))
				}
			}
		}
		result(fmt.Sprintf("order within each of %d queues", len(byQueue)), problems)
	}

	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return 1
	}
	return 0
}
