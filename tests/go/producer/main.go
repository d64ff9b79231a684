// Command producer sends test messages with the unchanged cgo client
// github.com/apache/rocketmq-client-go v1.2.4 (package core) on top of librocketmq, and prints one
// JSON line per send (record.Sent). Exit status 1 if any send failed.
//
//	producer -n 127.0.0.1:9876 [-t rmq_go_test] [-c 10] [-runid ID]
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

const nonASCII = "ünïcødé – 中文 – 🚀"

// modSelector picks queue arg % size and remembers what it chose.
type modSelector struct {
	size, chosen int
}

func (s *modSelector) Select(size int, m *rocketmq.Message, arg interface{}) int {
	s.size = size
	s.chosen = arg.(int) % size
	return s.chosen
}

var out = json.NewEncoder(os.Stdout)

func nowMs() int64 { return time.Now().UnixNano() / int64(time.Millisecond) }

// isErr: v1.2.4's Producer.Shutdown returns the typed constant NIL (rmqError(0)) wrapped in a
// non-nil error interface on success, so "err != nil" is not enough.
func isErr(err error) bool {
	return err != nil && err != rocketmq.NIL
}

func emit(r record.Sent) {
	out.SetEscapeHTML(false)
	if err := out.Encode(r); err != nil {
		fmt.Fprintln(os.Stderr, "encode:", err)
		os.Exit(2)
	}
}

func main() {
	namesrv := flag.String("n", "", "name server address host:port (required)")
	topic := flag.String("t", "rmq_go_test", "topic")
	count := flag.Int("c", 10, "number of sync messages")
	runID := flag.String("runid", fmt.Sprintf("%d-%d", time.Now().UnixNano(), os.Getpid()), "unique id of this run (goes into keys and groups)")
	flag.Parse()
	if *namesrv == "" {
		fmt.Fprintln(os.Stderr, "usage: producer -n host:port [-t topic] [-c count] [-runid id]")
		os.Exit(2)
	}

	failed := false
	fail := func(r record.Sent, err error) {
		failed = true
		r.Error = err.Error()
		emit(r)
	}

	common, err := rocketmq.NewProducer(&rocketmq.ProducerConfig{
		ClientConfig:   rocketmq.ClientConfig{GroupID: "go_prod_" + *runID, NameServer: *namesrv},
		ProducerModel:  rocketmq.CommonProducer,
		SendMsgTimeout: 10000,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "NewProducer:", err)
		os.Exit(1)
	}
	if err := common.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "Start:", err)
		os.Exit(1)
	}

	// Sync sends.
	for i := 0; i < *count; i++ {
		key := fmt.Sprintf("go-%s-%d", *runID, i)
		msg := &rocketmq.Message{
			Topic: *topic, Tags: "TagGoSync", Keys: key,
			Body:     fmt.Sprintf("go sync body %s #%d %s", *runID, i, nonASCII),
			Property: map[string]string{"prop_text": nonASCII, "seq": fmt.Sprint(i)},
		}
		rec := record.Sent{Kind: "sync", Key: key, Topic: msg.Topic, Tags: msg.Tags, Body: msg.Body, QueueID: -1, Properties: msg.Property}
		rec.SendFromMs = nowMs()
		res, err := common.SendMessageSync(msg)
		rec.SendToMs = nowMs()
		if err != nil {
			fail(rec, err)
			continue
		}
		rec.MsgID, rec.Status, rec.Offset = res.MsgId, res.Status.String(), res.Offset
		if res.Status != rocketmq.SendOK {
			failed = true
		}
		emit(rec)
	}

	// Orderly send with a queue selector (CommonProducer only in v1.2.4).
	{
		key := fmt.Sprintf("go-%s-orderly", *runID)
		msg := &rocketmq.Message{Topic: *topic, Tags: "TagGoOrderly", Keys: key,
			Body: fmt.Sprintf("go orderly body %s %s", *runID, nonASCII)}
		rec := record.Sent{Kind: "orderly", Key: key, Topic: msg.Topic, Tags: msg.Tags, Body: msg.Body}
		sel := &modSelector{}
		rec.SendFromMs = nowMs()
		res, err := common.SendMessageOrderly(msg, sel, 3, 0)
		rec.SendToMs = nowMs()
		if err != nil {
			rec.QueueID = -1
			fail(rec, err)
		} else {
			rec.MsgID, rec.Status, rec.Offset, rec.QueueID = res.MsgId, res.Status.String(), res.Offset, sel.chosen
			if res.Status != rocketmq.SendOK || sel.size == 0 {
				failed = true
			}
			emit(rec)
		}
	}

	// Oneway: no result, found later by its key.
	{
		key := fmt.Sprintf("go-%s-oneway", *runID)
		msg := &rocketmq.Message{Topic: *topic, Tags: "TagGoOneway", Keys: key,
			Body: fmt.Sprintf("go oneway body %s %s", *runID, nonASCII)}
		rec := record.Sent{Kind: "oneway", Key: key, Topic: msg.Topic, Tags: msg.Tags, Body: msg.Body, QueueID: -1}
		rec.SendFromMs = nowMs()
		err := common.SendMessageOneway(msg)
		rec.SendToMs = nowMs()
		if err != nil {
			fail(rec, err)
		} else {
			emit(rec)
		}
	}
	if err := common.Shutdown(); isErr(err) {
		fmt.Fprintln(os.Stderr, "Shutdown:", err)
		failed = true
	}

	// Sharding key (lite-order producer: ProducerModel OrderlyProducer only in v1.2.4).
	orderly, err := rocketmq.NewProducer(&rocketmq.ProducerConfig{
		ClientConfig:  rocketmq.ClientConfig{GroupID: "go_oprod_" + *runID, NameServer: *namesrv},
		ProducerModel: rocketmq.OrderlyProducer,
	})
	if err == nil {
		err = orderly.Start()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "orderly producer:", err)
		os.Exit(1)
	}
	{
		key := fmt.Sprintf("go-%s-sharding", *runID)
		sk := "shard-" + *runID
		msg := &rocketmq.Message{Topic: *topic, Tags: "TagGoShard", Keys: key,
			Body: fmt.Sprintf("go sharding body %s %s", *runID, nonASCII)}
		rec := record.Sent{Kind: "sharding", Key: key, Topic: msg.Topic, Tags: msg.Tags, Body: msg.Body, QueueID: -1, ShardingKey: sk}
		rec.SendFromMs = nowMs()
		res, err := orderly.SendMessageOrderlyByShardingKey(msg, sk)
		rec.SendToMs = nowMs()
		if err != nil {
			fail(rec, err)
		} else {
			rec.MsgID, rec.Status, rec.Offset = res.MsgId, res.Status.String(), res.Offset
			if res.Status != rocketmq.SendOK {
				failed = true
			}
			emit(rec)
		}
	}
	if err := orderly.Shutdown(); isErr(err) {
		fmt.Fprintln(os.Stderr, "Shutdown:", err)
		failed = true
	}
	if failed {
		os.Exit(1)
	}
}
