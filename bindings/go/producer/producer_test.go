package producer

import (
	"context"
	"hash/fnv"
	"testing"
	"time"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/errors"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
)

func TestDefaultsAndOptions(t *testing.T) {
	o := defaultProducerOptions()
	if o.GroupName != "DEFAULT_PRODUCER" || o.RetryTimes != 3 || o.SendMsgTimeout != 3*time.Second || o.CompressMsgBodyOverHowmuch != 4096 {
		t.Fatalf("%+v", o)
	}
	for _, f := range []Option{WithGroupName(""), WithGroupName("g"), WithRetry(2), WithSendMsgTimeout(time.Second),
		WithNamespace("ns"), WithInstanceName("i"), WithCredentials(primitive.Credentials{AccessKey: "a", SecretKey: "s"})} {
		f(&o)
	}
	if o.GroupName != "g" || o.RetryTimes != 2 || o.SendMsgTimeout != time.Second || o.Namespace != "ns" || o.InstanceName != "i" {
		t.Fatalf("%+v", o)
	}
}

func TestConstructionChecksAddresses(t *testing.T) {
	if _, err := NewDefaultProducer(WithNsResolver(primitive.NewPassthroughResolver([]string{"localhost:9876"}))); err == nil ||
		err.Error() != "new Namesrv failed.: IP addr error" {
		t.Fatal(err)
	}
	p, err := NewDefaultProducer(WithNsResolver(primitive.NewPassthroughResolver([]string{"127.0.0.1:9"})))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.SendSync(context.Background(), primitive.NewMessage("t", []byte("b"))); err != errors.ErrNotRunning {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.SendSync(context.Background()); err != errors.ErrMessageEmpty {
		t.Fatal(err)
	}
	if _, err := p.SendSync(context.Background(), primitive.NewMessage("", []byte("b"))); err != errors.ErrTopicEmpty {
		t.Fatal(err)
	}
	if _, err := p.SendSync(context.Background(), primitive.NewMessage("a", []byte("b")), primitive.NewMessage("c", []byte("b"))); err != errors.ErrMultipleTopics {
		t.Fatal(err)
	}
	// A context already past its deadline: no send.
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	time.Sleep(time.Millisecond)
	if _, err := p.SendSync(ctx, primitive.NewMessage("t", []byte("b"))); err != errors.ErrRequestTimeout {
		t.Fatal(err)
	}
	if err := p.Shutdown(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.SendSync(context.Background(), primitive.NewMessage("t", []byte("b"))); err != errors.ErrNotRunning {
		t.Fatal(err)
	}
}

func TestSelectors(t *testing.T) {
	mqs := make([]*primitive.MessageQueue, 8)
	for i := range mqs {
		mqs[i] = &primitive.MessageQueue{Topic: "t", BrokerName: "b", QueueId: i}
	}
	m := primitive.NewMessage("t", nil).WithShardingKey("order-17")
	h := fnv.New32a()
	h.Write([]byte("order-17"))
	want := int(int32(h.Sum32()))
	if want < 0 {
		want = -want
	}
	for i := 0; i < 3; i++ {
		if q := NewHashQueueSelector().Select(m, mqs); q.QueueId != want%8 {
			t.Fatalf("hash selector: %d, want %d", q.QueueId, want%8)
		}
	}
	rr := NewRoundRobinQueueSelector()
	if rr.Select(m, mqs).QueueId != 1 || rr.Select(m, mqs).QueueId != 2 {
		t.Fatal("round robin starts at index 1")
	}
	m.Queue = mqs[5]
	if NewManualQueueSelector().Select(m, mqs) != mqs[5] {
		t.Fatal("manual")
	}
}

func TestMarshalMessageBatch(t *testing.T) {
	b := MarshalMessageBatch(primitive.NewMessage("t", []byte("ab")))
	if len(b) != 4+4+4+4+4+2+2 || b[3] != byte(len(b)) {
		t.Fatal(b)
	}
}

func TestNameServerDomain(t *testing.T) {
	t.Setenv("NAMESRV_ADDR", "")
	p, err := NewDefaultProducer(WithNameServerDomain("http://127.0.0.1:1/rocketmq/nsaddr"))
	if err != nil {
		t.Fatal(err)
	}
	if p.settings.NameServer != "" || p.settings.NameServerDomain != "http://127.0.0.1:1/rocketmq/nsaddr" {
		t.Fatalf("%+v", p.settings)
	}
	p, err = NewDefaultProducer()
	if err != nil || p.settings.NameServerDomain != primitive.DEFAULT_NAMESRV_ADDR {
		t.Fatal(err, p.settings)
	}
}
