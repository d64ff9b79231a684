package rocketmq

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/consumer"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/errors"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/producer"
)

func TestInterfaces(t *testing.T) {
	var _ Producer = mustProducer(t)
	if _, err := NewPullConsumer(); err != errors.ErrPullConsumer {
		t.Fatal(err)
	}
}

func mustProducer(t *testing.T) Producer {
	p, err := NewProducer(producer.WithNsResolver(primitive.NewPassthroughResolver([]string{"127.0.0.1:9"})))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func brokers(t *testing.T, keys ...string) []string {
	var out []string
	for _, k := range keys {
		v := os.Getenv(k)
		if v == "" {
			if os.Getenv("ROCKETMQ_GO_REQUIRE_BROKERS") == "1" {
				t.Fatalf("%s is not set", k)
			}
			t.Skipf("%s is not set", k)
		}
		out = append(out, v)
	}
	return out
}

func newTopic(t *testing.T, name, addr string) string {
	root, _ := filepath.Abs("../..")
	name = fmt.Sprintf("%s_%d", name, time.Now().UnixNano()%1_000_000_000)
	if b, err := exec.Command(filepath.Join(root, "scripts/brokers.sh"), "topic", name, "8", addr).CombinedOutput(); err != nil {
		t.Fatalf("topic %s: %v %s", name, err, b)
	}
	return name
}

func threads() int {
	entries, _ := os.ReadDir("/proc/self/task")
	return len(entries)
}

func settle(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		runtime.GC()
		time.Sleep(100 * time.Millisecond)
	}
	return cond()
}

// Two producers and two consumers in one process, on the 4.x and the 5.x name servers; each
// consumer gets what its producer sent. Then Shutdown: no goroutine of ours is left, and the
// consumers' library threads are gone.
func TestClientsOfTwoClustersAndShutdown(t *testing.T) {
	addrs := brokers(t, "NAMESRV_4", "NAMESRV_5")
	baseGoroutines := runtime.NumGoroutine()
	type pair struct {
		p     Producer
		c     PushConsumer
		topic string
		got   atomic.Int32
		id    atomic.Value // string
	}
	pairs := make([]*pair, len(addrs))
	for i, addr := range addrs {
		pr := &pair{topic: newTopic(t, "go_two", addr)}
		pairs[i] = pr
		var err error
		pr.p, err = NewProducer(producer.WithNsResolver(primitive.NewPassthroughResolver([]string{addr})), producer.WithGroupName("go_two_p"))
		if err != nil {
			t.Fatal(err)
		}
		pr.c, err = NewPushConsumer(consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{addr})),
			consumer.WithGroupName("go_two_c_"+pr.topic), consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset))
		if err != nil {
			t.Fatal(err)
		}
		err = pr.c.Subscribe(pr.topic, consumer.MessageSelector{}, func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
			for _, m := range msgs {
				if id, _ := pr.id.Load().(string); m.MsgId == id {
					pr.got.Add(1)
				}
			}
			return consumer.ConsumeSuccess, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	threadsBefore := threads()
	for _, pr := range pairs {
		if err := pr.p.Start(); err != nil {
			t.Fatal(err)
		}
		if err := pr.c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	for _, pr := range pairs {
		msg := primitive.NewMessage(pr.topic, []byte("two clusters"))
		res, err := pr.p.SendSync(context.Background(), msg)
		if err != nil {
			t.Fatal(err)
		}
		pr.id.Store(res.MsgID)
		if msg.GetProperty(primitive.PropertyUniqueClientMessageIdKeyIndex) != res.MsgID {
			t.Errorf("the message's UNIQ_KEY %q is not the result's id %q", msg.GetProperty(primitive.PropertyUniqueClientMessageIdKeyIndex), res.MsgID)
		}
	}
	for _, pr := range pairs {
		if !settle(60*time.Second, func() bool { return pr.got.Load() > 0 }) {
			t.Errorf("%s: the consumer did not get %s", pr.topic, pr.id.Load())
		}
	}
	threadsRunning := threads()
	for _, pr := range pairs {
		if err := pr.c.Shutdown(); err != nil {
			t.Error(err)
		}
		if err := pr.p.Shutdown(); err != nil {
			t.Error(err)
		}
	}
	// The consume threads are joined by Shutdown; what stays is process-wide (the I/O runtime,
	// the callback thread) and Go's own Ms.
	after := threads()
	if after >= threadsRunning {
		t.Errorf("threads: %d before start, %d running, %d after Shutdown", threadsBefore, threadsRunning, after)
	}
	if !settle(5*time.Second, func() bool { return runtime.NumGoroutine() <= baseGoroutines }) {
		buf := make([]byte, 1<<16)
		n := runtime.Stack(buf, true)
		t.Errorf("goroutines: %d before, %d after Shutdown:\n%s", baseGoroutines, runtime.NumGoroutine(), buf[:n])
	}
}

// A panic in a consume callback is recovered and logged, and the message comes again.
func TestPanicInCallbackRedelivers(t *testing.T) {
	addr := brokers(t, "NAMESRV_5")[0]
	tp := newTopic(t, "go_panic", addr)
	p, _ := NewProducer(producer.WithNsResolver(primitive.NewPassthroughResolver([]string{addr})))
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	defer p.Shutdown()
	c, _ := NewPushConsumer(consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{addr})),
		consumer.WithGroupName("go_panic_"+tp), consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset))
	var calls atomic.Int32
	var reconsumed atomic.Int32
	_ = c.Subscribe(tp, consumer.MessageSelector{}, func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		if calls.Add(1) == 1 {
			panic("user code fails")
		}
		reconsumed.Store(msgs[0].ReconsumeTimes)
		return consumer.ConsumeSuccess, nil
	})
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown()
	if _, err := p.SendSync(context.Background(), primitive.NewMessage(tp, []byte("panic"))); err != nil {
		t.Fatal(err)
	}
	if !settle(90*time.Second, func() bool { return calls.Load() >= 2 }) {
		t.Fatalf("the message did not come again after the panic (calls: %d)", calls.Load())
	}
	if reconsumed.Load() < 1 {
		t.Errorf("redelivered with reconsume times %d", reconsumed.Load())
	}
}

// WithSendMsgTimeout and the context's deadline bound a send, also when the name server
// accepts the connection and never answers.
func TestSendTimeoutBoundsSend(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	var held []net.Conn
	var heldMu sync.Mutex
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			heldMu.Lock()
			held = append(held, c)
			heldMu.Unlock()
		}
	}()
	defer func() {
		heldMu.Lock()
		for _, c := range held {
			c.Close()
		}
		heldMu.Unlock()
	}()
	p, _ := NewProducer(producer.WithNsResolver(primitive.NewPassthroughResolver([]string{silent.Addr().String()})),
		producer.WithSendMsgTimeout(time.Second))
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	defer p.Shutdown()
	start := time.Now()
	_, err = p.SendSync(context.Background(), primitive.NewMessage("t", []byte("b")))
	if err == nil {
		t.Fatal("sent through a silent name server")
	}
	if d := time.Since(start); d > 2500*time.Millisecond {
		t.Errorf("send took %v with a 1 s timeout (%v)", d, err)
	}
	if err != errors.ErrRequestTimeout {
		t.Errorf("error %v, want errors.ErrRequestTimeout", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = p.SendSync(ctx, primitive.NewMessage("t", []byte("b")))
	if d := time.Since(start); err == nil || d > 1500*time.Millisecond {
		t.Errorf("context deadline 0.3 s: %v after %v", err, d)
	}
}

// Shutdown from the consumer's own callback is refused (the library would wait for itself);
// the consumer keeps running and shuts down from outside.
func TestShutdownFromCallback(t *testing.T) {
	addr := brokers(t, "NAMESRV_5")[0]
	tp := newTopic(t, "go_selfstop", addr)
	resolver := primitive.NewPassthroughResolver([]string{addr})
	c, _ := NewPushConsumer(consumer.WithNsResolver(resolver), consumer.WithGroupName("go_selfstop_"+tp),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset))
	inner := make(chan error, 4)
	var calls atomic.Int32
	_ = c.Subscribe(tp, consumer.MessageSelector{}, func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		if calls.Add(1) == 1 {
			inner <- c.Shutdown()
		}
		return consumer.ConsumeSuccess, nil
	})
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	p, _ := NewProducer(producer.WithNsResolver(resolver))
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	defer p.Shutdown()
	for i := 0; i < 2; i++ {
		if _, err := p.SendSync(context.Background(), primitive.NewMessage(tp, []byte("x"))); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-inner:
		if err == nil {
			t.Error("Shutdown from the consumer's own callback succeeded")
		}
	case <-time.After(60 * time.Second):
		t.Fatal("no callback in 60 s")
	}
	if !settle(30*time.Second, func() bool { return calls.Load() >= 2 }) {
		t.Errorf("the consumer stopped consuming after the refused Shutdown (%d calls)", calls.Load())
	}
	if err := c.Shutdown(); err != nil {
		t.Errorf("Shutdown from outside: %v", err)
	}
}

// Selectors: SQL92 on a property and a tag list; exactly the matching messages arrive, on 4.x
// and 5.x.
func TestSQL92AndTagSelectors(t *testing.T) {
	for _, key := range []string{"NAMESRV_4", "NAMESRV_5"} {
		key := key
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			addr := brokers(t, key)[0]
			tp := newTopic(t, "go_sel", addr)
			p, _ := NewProducer(producer.WithNsResolver(primitive.NewPassthroughResolver([]string{addr})))
			if err := p.Start(); err != nil {
				t.Fatal(err)
			}
			defer p.Shutdown()
			type got struct {
				mu  sync.Mutex
				ids map[string]bool
			}
			consume := func(name string, sel consumer.MessageSelector) (*got, func()) {
				g := &got{ids: map[string]bool{}}
				c, _ := NewPushConsumer(consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{addr})),
					consumer.WithGroupName("go_sel_"+name+"_"+tp), consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset))
				if err := c.Subscribe(tp, sel, func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
					g.mu.Lock()
					defer g.mu.Unlock()
					for _, m := range msgs {
						g.ids[m.MsgId] = true
					}
					return consumer.ConsumeSuccess, nil
				}); err != nil {
					t.Fatal(err)
				}
				if err := c.Start(); err != nil {
					t.Fatal(err)
				}
				return g, func() { _ = c.Shutdown() }
			}
			sql, stopSQL := consume("sql", consumer.MessageSelector{Type: consumer.SQL92, Expression: "a >= 5"})
			defer stopSQL()
			tags, stopTags := consume("tag", consumer.MessageSelector{Type: consumer.TAG, Expression: "TagA || TagC"})
			defer stopTags()
			wantSQL, wantTags := map[string]bool{}, map[string]bool{}
			for i := 0; i < 10; i++ {
				tag := []string{"TagA", "TagB", "TagC"}[i%3]
				msg := primitive.NewMessage(tp, []byte(fmt.Sprint(i))).WithTag(tag)
				msg.WithProperty("a", fmt.Sprint(i))
				res, err := p.SendSync(context.Background(), msg)
				if err != nil {
					t.Fatal(err)
				}
				wantSQL[res.MsgID] = i >= 5
				wantTags[res.MsgID] = tag != "TagB"
			}
			check := func(name string, g *got, want map[string]bool) {
				n := 0
				for _, w := range want {
					if w {
						n++
					}
				}
				settle(60*time.Second, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return len(g.ids) >= n })
				time.Sleep(2 * time.Second) // deliberate: what must not be delivered would be by now
				g.mu.Lock()
				defer g.mu.Unlock()
				for id, w := range want {
					if g.ids[id] != w {
						t.Errorf("%s: %s delivered=%v, want %v", name, id, g.ids[id], w)
					}
				}
				if len(g.ids) != n {
					t.Errorf("%s: %d delivered, want %d", name, len(g.ids), n)
				}
			}
			check("SQL92 a >= 5", sql, wantSQL)
			check("TagA || TagC", tags, wantTags)
		})
	}
}
