// Command reader reads every queue of a topic from offset 0 with the PullConsumer of the unchanged
// cgo client github.com/apache/rocketmq-client-go v1.2.4 (package core) and prints one JSON line
// per queue ({"kind":"queue",...}) and per message ({"kind":"message",...}; record.Read).
//
//	reader -n 127.0.0.1:9876 [-t rmq_go_test]
//
// Properties cannot be read: core.Pull releases the C pull result before returning, so
// MessageExt.GetProperty would read freed memory.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/core"

	"rocketmq-tests-go/internal/record"
)

func main() {
	namesrv := flag.String("n", "", "name server address host:port (required)")
	topic := flag.String("t", "rmq_go_test", "topic")
	group := flag.String("g", fmt.Sprintf("go_reader_%d_%d", time.Now().UnixNano(), os.Getpid()), "consumer group")
	flag.Parse()
	if *namesrv == "" {
		fmt.Fprintln(os.Stderr, "usage: reader -n host:port [-t topic]")
		os.Exit(2)
	}

	c, err := rocketmq.NewPullConsumer(&rocketmq.PullConsumerConfig{
		ClientConfig: rocketmq.ClientConfig{GroupID: *group, NameServer: *namesrv},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "NewPullConsumer:", err)
		os.Exit(1)
	}
	if err := c.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "Start:", err)
		os.Exit(1)
	}

	out := json.NewEncoder(os.Stdout)
	out.SetEscapeHTML(false)
	mqs := c.FetchSubscriptionMessageQueues(*topic)
	if len(mqs) == 0 {
		fmt.Fprintln(os.Stderr, "no queues for topic", *topic)
		c.Shutdown()
		os.Exit(1)
	}
	status := 0
	for _, mq := range mqs {
		var offset, maxOffset int64
		timeouts := 0
	PULL:
		for rounds := 0; rounds < 100000; rounds++ {
			pr := c.Pull(mq, "*", offset, 32)
			maxOffset = pr.MaxOffset
			switch pr.Status {
			case rocketmq.PullFound:
				timeouts = 0
				for _, m := range pr.Messages {
					_ = out.Encode(record.Read{
						Kind: "message", Topic: m.Topic, Broker: mq.Broker, Tags: m.Tags, Keys: m.Keys,
						Body: m.Body, MsgID: m.MessageID, QueueID: m.QueueId, QueueOffset: m.QueueOffset,
						DelayLevel: m.DelayTimeLevel, ReconsumeTimes: m.ReconsumeTimes, StoreSize: m.StoreSize,
						BornTimestamp: m.BornTimestamp, StoreTimestamp: m.StoreTimestamp, CommitLogOffset: m.CommitLogOffset,
					})
				}
			case rocketmq.PullNoNewMsg:
				break PULL
			case rocketmq.PullNoMatchedMsg, rocketmq.PullOffsetIllegal:
			case rocketmq.PullBrokerTimeout:
				timeouts++
				if timeouts > 3 {
					fmt.Fprintf(os.Stderr, "pull %s offset %d: broker timeout %d times\n", mq.String(), offset, timeouts)
					status = 1
					break PULL
				}
				time.Sleep(time.Duration(timeouts) * 200 * time.Millisecond)
				continue
			default:
				fmt.Fprintf(os.Stderr, "pull %s offset %d: status %v\n", mq.String(), offset, pr.Status)
				status = 1
				break PULL
			}
			if pr.NextBeginOffset <= offset && pr.NextBeginOffset < pr.MaxOffset {
				fmt.Fprintf(os.Stderr, "pull %s: offset does not advance (%v at %d)\n", mq.String(), pr.Status, offset)
				status = 1
				break
			}
			if pr.NextBeginOffset > offset {
				offset = pr.NextBeginOffset
			}
			if offset >= pr.MaxOffset {
				break
			}
		}
		_ = out.Encode(record.Read{Kind: "queue", Topic: mq.Topic, Broker: mq.Broker, QueueID: mq.ID, MaxOffset: maxOffset})
	}
	c.Shutdown()
	os.Exit(status)
}
