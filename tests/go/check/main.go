// Command check compares what the producer sent with what the reader pulled back, or with what a
// push consumer received, and prints one line per sent message and a final "N passed, M failed".
// Exit status 1 unless everything passed.
//
//	check -sent sent.jsonl -read read.jsonl [-q]                          pull (reader) check
//	check -sent sent.jsonl -push push.jsonl [-read read.jsonl] [-reject KEY]  push consumer check
//
// In push mode the deliveries are also compared with the pulled copy of the same message (-read).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"rocketmq-tests-go/internal/record"
)

func readLines(path string, each func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if err := each([]byte(line)); err != nil {
			return fmt.Errorf("%s: %v: %s", path, err, line)
		}
	}
	return sc.Err()
}

func hasKey(keys, key string) bool {
	for _, k := range strings.Fields(keys) {
		if k == key {
			return true
		}
	}
	return false
}

func main() {
	sentPath := flag.String("sent", "", "producer output (JSON lines)")
	readPath := flag.String("read", "", "reader output (JSON lines)")
	quiet := flag.Bool("q", false, "print nothing, only set the exit status")
	pushPath := flag.String("push", "", "pushconsumer output (JSON lines): check the push deliveries")
	reject := flag.String("reject", "", "push: the key whose first delivery was rejected (ReConsumeLater)")
	flag.Parse()
	if *pushPath != "" {
		os.Exit(checkPush(*sentPath, *pushPath, *readPath, *reject))
	}

	var sent []record.Sent
	var msgs []record.Read
	type mq struct {
		broker string
		id     int
	}
	var queues []mq
	err := readLines(*sentPath, func(b []byte) error {
		var s record.Sent
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		sent = append(sent, s)
		return nil
	})
	if err == nil {
		err = readLines(*readPath, func(b []byte) error {
			var r record.Read
			if err := json.Unmarshal(b, &r); err != nil {
				return err
			}
			switch r.Kind {
			case "message":
				msgs = append(msgs, r)
			case "queue":
				queues = append(queues, mq{r.Broker, r.QueueID})
			}
			return nil
		})
	}
	if err != nil {
		if !*quiet {
			fmt.Println("error:", err)
			fmt.Println("0 passed, 1 failed")
		}
		os.Exit(1)
	}
	sort.Slice(queues, func(i, j int) bool {
		if queues[i].broker != queues[j].broker {
			return queues[i].broker < queues[j].broker
		}
		return queues[i].id < queues[j].id
	})

	passed, failed := 0, 0
	for _, s := range sent {
		var problems []string
		var found []record.Read
		for _, m := range msgs {
			if hasKey(m.Keys, s.Key) {
				found = append(found, m)
			}
		}
		switch {
		case s.Error != "":
			problems = append(problems, "send failed: "+s.Error)
		case len(found) != 1:
			problems = append(problems, fmt.Sprintf("found %d messages with key %q, want 1", len(found), s.Key))
		default:
			m := found[0]
			eq := func(what string, got, want interface{}) {
				if got != want {
					problems = append(problems, fmt.Sprintf("%s: got %q, want %q", what, fmt.Sprint(got), fmt.Sprint(want)))
				}
			}
			eq("topic", m.Topic, s.Topic)
			eq("tags", m.Tags, s.Tags)
			eq("keys", m.Keys, s.Key)
			eq("body", m.Body, s.Body)
			eq("delayLevel", m.DelayLevel, 0)
			eq("reconsumeTimes", m.ReconsumeTimes, 0)
			if m.StoreSize <= 0 {
				problems = append(problems, fmt.Sprintf("storeSize %d not > 0", m.StoreSize))
			}
			if s.SendFromMs > 0 && (m.BornTimestamp < s.SendFromMs-1000 || m.BornTimestamp > s.SendToMs+1000) {
				problems = append(problems, fmt.Sprintf("bornTimestamp %d outside the send call [%d, %d]", m.BornTimestamp, s.SendFromMs, s.SendToMs))
			}
			if m.StoreTimestamp < m.BornTimestamp-1000 {
				problems = append(problems, fmt.Sprintf("storeTimestamp %d before bornTimestamp %d", m.StoreTimestamp, m.BornTimestamp))
			}
			if m.CommitLogOffset < 0 {
				problems = append(problems, fmt.Sprintf("commitLogOffset %d", m.CommitLogOffset))
			}
			if s.Kind == "oneway" {
				if m.MsgID == "" {
					problems = append(problems, "empty message id")
				}
			} else {
				eq("msgId", m.MsgID, s.MsgID)
				eq("queueOffset (SendResult.offset)", m.QueueOffset, s.Offset)
			}
			if s.Kind == "orderly" {
				eq("queueId (selector's choice)", m.QueueID, s.QueueID)
			}
			if s.Kind == "sharding" {
				if len(queues) == 0 {
					problems = append(problems, "reader listed no queues")
				} else {
					want := queues[record.StdHash(s.ShardingKey)%uint64(len(queues))]
					eq("broker for sharding key", m.Broker, want.broker)
					eq("queueId for sharding key", m.QueueID, want.id)
				}
			}
		}
		if len(problems) == 0 {
			passed++
			if !*quiet {
				fmt.Printf("ok   %-8s %s\n", s.Kind, s.Key)
			}
		} else {
			failed++
			if !*quiet {
				fmt.Printf("FAIL %-8s %s: %s\n", s.Kind, s.Key, strings.Join(problems, "; "))
			}
		}
	}
	if len(sent) == 0 {
		failed++
		if !*quiet {
			fmt.Println("FAIL the producer reported no sends")
		}
	}
	if !*quiet {
		fmt.Printf("%d passed, %d failed\n", passed, failed)
	}
	if failed > 0 {
		os.Exit(1)
	}
}
