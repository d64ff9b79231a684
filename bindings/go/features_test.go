package rocketmq

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/consumer"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/producer"
)

// bodies records what a consumer got, by body.
type bodies struct {
	mu        sync.Mutex
	seen      map[string]int // body -> deliveries
	reconsume map[string]int32
	at        map[string]time.Time
	ids       map[string]string // body -> message id
	maxBatch  int
}

func newBodies() *bodies {
	return &bodies{seen: map[string]int{}, reconsume: map[string]int32{}, at: map[string]time.Time{}, ids: map[string]string{}}
}

func (b *bodies) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.seen)
}

// One-way, batch, async, delay level, retry-later with a consume batch size, and broadcasting,
// on 4.x and 5.x: every message arrives where it should, as it should.
func TestFeatures(t *testing.T) {
	for _, key := range []string{"NAMESRV_4", "NAMESRV_5"} {
		key := key
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			addr := brokers(t, key)[0]
			tp := newTopic(t, "go_feat", addr)
			resolver := primitive.NewPassthroughResolver([]string{addr})
			start := func(name string, opts []consumer.Option, f func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error)) func() {
				opts = append(opts, consumer.WithNsResolver(resolver), consumer.WithGroupName("go_feat_"+name+"_"+tp),
					consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset))
				c, err := NewPushConsumer(opts...)
				if err != nil {
					t.Fatal(err)
				}
				if err := c.Subscribe(tp, consumer.MessageSelector{}, f); err != nil {
					t.Fatal(err)
				}
				if err := c.Start(); err != nil {
					t.Fatal(err)
				}
				return func() { _ = c.Shutdown() }
			}
			clustered := newBodies()
			stop := start("cl", []consumer.Option{consumer.WithConsumeMessageBatchMaxSize(4)},
				func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
					clustered.mu.Lock()
					defer clustered.mu.Unlock()
					if len(msgs) > clustered.maxBatch {
						clustered.maxBatch = len(msgs)
					}
					retry := false
					for _, m := range msgs {
						b := string(m.Body)
						clustered.seen[b]++
						clustered.reconsume[b] = m.ReconsumeTimes
						clustered.ids[b] = m.MsgId
						if _, ok := clustered.at[b]; !ok {
							clustered.at[b] = time.Now()
						}
						if m.GetProperty("retry") == "1" && m.ReconsumeTimes == 0 {
							retry = true
						}
					}
					if retry {
						return consumer.ConsumeRetryLater, nil
					}
					return consumer.ConsumeSuccess, nil
				})
			defer stop()
			broadcast := newBodies()
			stopB := start("bc", []consumer.Option{consumer.WithConsumerModel(consumer.BroadCasting)},
				func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
					broadcast.mu.Lock()
					defer broadcast.mu.Unlock()
					for _, m := range msgs {
						broadcast.seen[string(m.Body)]++
					}
					return consumer.ConsumeSuccess, nil
				})
			defer stopB()

			p, err := NewProducer(producer.WithNsResolver(resolver), producer.WithInstanceName("feat"))
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Start(); err != nil {
				t.Fatal(err)
			}
			defer p.Shutdown()
			ctx := context.Background()
			msg := func(body string) *primitive.Message { return primitive.NewMessage(tp, []byte(body)) }
			if err := p.SendOneWay(ctx, msg("oneway")); err != nil {
				t.Fatal(err)
			}
			res, err := p.SendSync(ctx, msg("batch-1"), msg("batch-2"), msg("batch-3"))
			if err != nil {
				t.Fatal(err)
			}
			if res.MessageQueue == nil || res.Status != primitive.SendOK {
				t.Errorf("batch result: %s", res)
			}
			// one id per message, in batch order, each delivered with that message (below)
			batchIDs := strings.Split(res.MsgID, ",")
			if len(batchIDs) != 3 {
				t.Errorf("batch result: MsgID %q is not 3 ids", res.MsgID)
			}
			delayedAt := time.Now()
			if _, err := p.SendSync(ctx, msg("delayed").WithDelayTimeLevel(2)); err != nil { // 5 s
				t.Fatal(err)
			}
			retry := msg("retry")
			retry.WithProperty("retry", "1")
			if _, err := p.SendSync(ctx, retry); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			if err := p.SendAsync(ctx, func(ctx context.Context, r *primitive.SendResult, err error) { done <- err }, msg("async")); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("no SendAsync callback in 30 s")
			}
			all := []string{"oneway", "batch-1", "batch-2", "batch-3", "delayed", "retry", "async"}
			settle(90*time.Second, func() bool {
				clustered.mu.Lock()
				defer clustered.mu.Unlock()
				return len(clustered.seen) == len(all) && clustered.seen["retry"] >= 2
			})
			settle(30*time.Second, func() bool { return broadcast.count() == len(all) })
			clustered.mu.Lock()
			defer clustered.mu.Unlock()
			broadcast.mu.Lock()
			defer broadcast.mu.Unlock()
			for _, b := range all {
				if clustered.seen[b] == 0 {
					t.Errorf("clustering consumer: %q not delivered", b)
				}
				if broadcast.seen[b] == 0 {
					t.Errorf("broadcasting consumer: %q not delivered", b)
				}
			}
			for i, id := range batchIDs {
				if b := fmt.Sprintf("batch-%d", i+1); clustered.ids[b] != id {
					t.Errorf("batch message %q delivered with id %q, the send result says %q", b, clustered.ids[b], id)
				}
			}
			if clustered.seen["retry"] < 2 || clustered.reconsume["retry"] < 1 {
				t.Errorf("ConsumeRetryLater: delivered %d times, last reconsume times %d", clustered.seen["retry"], clustered.reconsume["retry"])
			}
			if broadcast.seen["retry"] != 1 {
				t.Errorf("broadcasting got the retried message %d times (its own group consumed it once)", broadcast.seen["retry"])
			}
			if d := clustered.at["delayed"].Sub(delayedAt); d < 4*time.Second {
				t.Errorf("delay level 2 (5 s): delivered after %v", d)
			}
			if clustered.maxBatch < 2 {
				t.Errorf("WithConsumeMessageBatchMaxSize(4): never more than %d message per callback", clustered.maxBatch)
			}
		})
	}
}

// WithNamespace: topics and groups carry "<namespace>%"; the consumer gets the producer's message.
func TestNamespace(t *testing.T) {
	addr := brokers(t, "NAMESRV_5")[0]
	ns := fmt.Sprintf("gons%d", time.Now().UnixNano()%100000)
	full := newTopic(t, ns+"%go_ns", addr)
	tp := full[len(ns)+1:]
	resolver := primitive.NewPassthroughResolver([]string{addr})
	got := make(chan *primitive.MessageExt, 4)
	c, _ := NewPushConsumer(consumer.WithNsResolver(resolver), consumer.WithNamespace(ns), consumer.WithGroupName("go_ns"),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset))
	if err := c.Subscribe(tp, consumer.MessageSelector{}, func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		for _, m := range msgs {
			got <- m
		}
		return consumer.ConsumeSuccess, nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown()
	p, _ := NewProducer(producer.WithNsResolver(resolver), producer.WithNamespace(ns))
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	defer p.Shutdown()
	res, err := p.SendSync(context.Background(), primitive.NewMessage(tp, []byte("namespaced")))
	if err != nil {
		t.Fatal(err)
	}
	if res.MessageQueue.Topic != full {
		t.Errorf("sent to %s, want %s", res.MessageQueue.Topic, full)
	}
	select {
	case m := <-got:
		if m.MsgId != res.MsgID || m.Topic != full {
			t.Errorf("got %s on %s, want %s on %s", m.MsgId, m.Topic, res.MsgID, full)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("nothing delivered in 60 s")
	}
}

// consumer.NewPullConsumer (v2.1.1's): Pull goes round the queues and moves on, PullFrom reads
// a queue from an offset; everything sent is found.
func TestPullConsumer(t *testing.T) {
	addr := brokers(t, "NAMESRV_5")[0]
	tp := newTopic(t, "go_pull", addr)
	resolver := primitive.NewPassthroughResolver([]string{addr})
	p, _ := NewProducer(producer.WithNsResolver(resolver))
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	defer p.Shutdown()
	sent := map[string]*primitive.SendResult{}
	for i := 0; i < 5; i++ {
		res, err := p.SendSync(context.Background(), primitive.NewMessage(tp, []byte(fmt.Sprint("pull-", i))).WithTag("TagP"))
		if err != nil {
			t.Fatal(err)
		}
		sent[res.MsgID] = res
	}
	c, err := consumer.NewPullConsumer(consumer.WithNsResolver(resolver), consumer.WithGroupName("go_pull_"+tp))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown()
	ctx := context.Background()
	found := map[string]bool{}
	for round := 0; round < 3*8 && len(found) < len(sent); round++ {
		r, err := c.Pull(ctx, tp, consumer.MessageSelector{Type: consumer.TAG, Expression: "TagP"}, 32)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range r.GetMessageExts() {
			if found[m.MsgId] {
				t.Errorf("%s pulled twice: Pull did not move on", m.MsgId)
			}
			found[m.MsgId] = true
		}
	}
	for id := range sent {
		if !found[id] {
			t.Errorf("%s not pulled", id)
		}
	}
	for id, res := range sent {
		r, err := c.PullFrom(ctx, res.MessageQueue, res.QueueOffset, 1)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != primitive.PullFound || len(r.GetMessageExts()) != 1 || r.GetMessageExts()[0].MsgId != id {
			t.Errorf("PullFrom %s at %d: status %d, %d messages", res.MessageQueue, res.QueueOffset, r.Status, len(r.GetMessageExts()))
		}
		if off, _ := c.CurrentOffset(res.MessageQueue); off <= res.QueueOffset {
			t.Errorf("offset of %s after Pull: %d", res.MessageQueue, off)
		}
		break
	}
	if _, err := c.PullFrom(ctx, nil, 0, 1); err == nil {
		t.Error("PullFrom(nil queue) accepted")
	}
	var _ consumer.PullConsumer = nil // v2.1.1's interface exists
}

// TestTrace: producer.WithTrace turns message trace on (the library writes the records): the
// send's Pub record reaches RMQ_SYS_TRACE_TOPIC (the test brokers run with traceTopicEnable),
// keyed by its message id.
func TestTrace(t *testing.T) {
	addr := brokers(t, "NAMESRV_5")[0]
	tp := newTopic(t, "go_trace", addr)
	resolver := primitive.NewPassthroughResolver([]string{addr})
	p, err := NewProducer(producer.WithNsResolver(resolver), producer.WithGroupName("go_trace_"+tp),
		producer.WithTrace(&primitive.TraceConfig{Resolver: resolver}))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	res, err := p.SendSync(context.Background(), primitive.NewMessage(tp, []byte("traced")))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Shutdown(); err != nil { // sends the records still queued
		t.Fatal(err)
	}
	c, err := consumer.NewPullConsumer(consumer.WithNsResolver(resolver), consumer.WithGroupName("go_trace_reader_"+tp))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown()
	all := consumer.MessageSelector{Type: consumer.TAG, Expression: "*"}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		r, err := c.Pull(context.Background(), "RMQ_SYS_TRACE_TOPIC", all, 32)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range r.GetMessageExts() {
			for _, key := range strings.Split(m.GetKeys(), " ") {
				if key == res.MsgID {
					if !strings.HasPrefix(string(m.Body), "Pub\x01") {
						t.Errorf("trace message of %s: %.80q", res.MsgID, m.Body)
					}
					return
				}
			}
		}
		if len(r.GetMessageExts()) == 0 {
			time.Sleep(200 * time.Millisecond)
		}
	}
	t.Errorf("no trace message keyed %s in RMQ_SYS_TRACE_TOPIC within 20 s", res.MsgID)
}
