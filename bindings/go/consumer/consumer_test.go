package consumer

import (
	"context"
	"testing"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/errors"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
)

func TestEnumsAndDefaults(t *testing.T) {
	if BroadCasting != 0 || Clustering != 1 || ConsumeFromLastOffset != 0 || ConsumeFromFirstOffset != 1 || ConsumeFromTimestamp != 2 {
		t.Fatal("enum values")
	}
	if ConsumeSuccess != 0 || ConsumeRetryLater != 1 || Commit != 2 || Rollback != 3 || SuspendCurrentQueueAMoment != 4 {
		t.Fatal("consume results")
	}
	if Clustering.String() != "Clustering" || BroadCasting.String() != "BroadCasting" || MessageModel(7).String() != "Unknown" {
		t.Fatal("MessageModel.String")
	}
	o := defaultPushConsumerOptions()
	if o.GroupName != "DEFAULT_CONSUMER" || o.ConsumerModel != Clustering || o.ConsumeMessageBatchMaxSize != 1 || o.MaxReconsumeTimes != -1 {
		t.Fatalf("%+v", o)
	}
	if !IsTagType("") || !IsTagType("TAG") || IsTagType("SQL92") {
		t.Fatal("IsTagType")
	}
}

func TestAllocateByAveragely(t *testing.T) {
	mqs := make([]*primitive.MessageQueue, 8)
	for i := range mqs {
		mqs[i] = &primitive.MessageQueue{QueueId: i}
	}
	got := AllocateByAveragely("g", "c2", mqs, []string{"c1", "c2", "c3"})
	if len(got) != 3 || got[0].QueueId != 3 {
		t.Fatalf("%v", got)
	}
	got = AllocateByAveragely("g", "c3", mqs, []string{"c1", "c2", "c3"})
	if len(got) != 2 || got[0].QueueId != 6 {
		t.Fatalf("%v", got)
	}
}

func TestSubscribeRules(t *testing.T) {
	c, err := NewPushConsumer(WithGroupName("g"), WithNamespace("ns"),
		WithNsResolver(primitive.NewPassthroughResolver([]string{"127.0.0.1:9"})))
	if err != nil {
		t.Fatal(err)
	}
	if c.options.GroupName != "ns%g" {
		t.Fatal(c.options.GroupName)
	}
	f := func(context.Context, ...*primitive.MessageExt) (ConsumeResult, error) { return ConsumeSuccess, nil }
	if err := c.Subscribe("t", MessageSelector{Type: TAG, Expression: "a || b"}, f); err != nil {
		t.Fatal(err)
	}
	if c.subs["ns%t"].expression != "a || b" {
		t.Fatal(c.subs)
	}
	if err := c.Subscribe("t2", MessageSelector{Type: SQL92, Expression: "a > 1"}, f); err != nil || !c.subs["ns%t2"].sql92 {
		t.Fatal("SQL92 refused", err)
	}
	if err := c.Subscribe("t3", MessageSelector{Type: SQL92}, f); err != errors.ErrEmptyExpression {
		t.Fatal(err)
	}
	if err := c.Subscribe("t3", MessageSelector{Type: "XPATH", Expression: "a"}, f); err == nil {
		t.Fatal("unknown type accepted")
	}
	_ = c.Shutdown()
	if err := c.Subscribe("t", MessageSelector{}, f); err != errors.ErrStartTopic {
		t.Fatal(err)
	}
	if _, err := NewPushConsumer(WithNsResolver(primitive.NewPassthroughResolver([]string{"nohost:1"}))); err == nil {
		t.Fatal("host name accepted")
	}
}
