package consumer

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/errors"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/internal/capi"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/internal/convert"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/rlog"
)

// Callback is a subscription's consume function.
type Callback func(context.Context, ...*primitive.MessageExt) (ConsumeResult, error)

const (
	stateCreated = iota
	stateRunning
	stateStopped
)

type subscription struct {
	expression string
	sql92      bool
	f          Callback
}

type pushConsumer struct {
	options    consumerOptions
	nameServer string
	domain     string
	intercept  primitive.Interceptor

	mu     sync.RWMutex
	state  int
	subs   map[string]subscription
	c      *capi.PushConsumer
	paused bool
}

// NewPushConsumer checks the options (name-server addresses as v2.1.1 does) and creates the
// consumer; nothing goes to the network before Start.
func NewPushConsumer(opts ...Option) (*pushConsumer, error) {
	o := defaultPushConsumerOptions()
	for _, apply := range opts {
		apply(&o)
	}
	addrs, err := primitive.CheckAddresses(o.Resolver)
	if err != nil {
		return nil, err
	}
	if o.Namespace != "" {
		o.GroupName = o.Namespace + "%" + o.GroupName
	}
	nameServer, domain := strings.Join(addrs, ";"), ""
	if h, isHTTP := o.Resolver.(*primitive.HttpResolver); isHTTP && len(o.Resolver.Resolve()) == 0 {
		nameServer, domain = "", h.Domain()
	}
	return &pushConsumer{
		options:    o,
		nameServer: nameServer,
		domain:     domain,
		intercept:  primitive.ChainInterceptors(o.Interceptors...),
		subs:       make(map[string]subscription),
	}, nil
}

func (pc *pushConsumer) topic(t string) string {
	ns := pc.options.Namespace
	if ns == "" || strings.HasPrefix(t, ns+"%") {
		return t
	}
	return ns + "%" + t
}

// Subscribe registers f for topic. Before Start, any topic; after Start the callback of a
// subscribed topic can be replaced (a new topic needs a new consumer: see the README).
func (pc *pushConsumer) Subscribe(topic string, selector MessageSelector, f func(context.Context, ...*primitive.MessageExt) (ConsumeResult, error)) error {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.state == stateStopped {
		return errors.ErrStartTopic
	}
	sql92 := selector.Type == SQL92
	if !sql92 && !IsTagType(string(selector.Type)) {
		return fmt.Errorf("unknown selector type %s: TAG or SQL92", selector.Type)
	}
	expr := strings.TrimSpace(selector.Expression)
	if expr == "" && !sql92 {
		expr = "*"
	}
	if expr == "" {
		return errors.ErrEmptyExpression
	}
	topic = pc.topic(topic)
	if pc.state == stateRunning {
		if _, ok := pc.subs[topic]; !ok {
			return fmt.Errorf("topic %s: subscribe before Start (librocketmq takes its subscriptions at Start)", topic)
		}
	}
	pc.subs[topic] = subscription{expression: expr, sql92: sql92, f: f}
	return nil
}

// Unsubscribe stops handing topic's messages to the callback (they are acknowledged unseen)
// until Subscribe is called again.
func (pc *pushConsumer) Unsubscribe(topic string) error {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	topic = pc.topic(topic)
	if pc.state == stateRunning {
		if s, ok := pc.subs[topic]; ok {
			pc.subs[topic] = subscription{expression: s.expression, sql92: s.sql92}
		}
		return nil
	}
	delete(pc.subs, topic)
	return nil
}

// Suspend holds callbacks back (messages wait in the cache) until Resume.
func (pc *pushConsumer) Suspend() {
	pc.mu.Lock()
	pc.paused = true
	pc.mu.Unlock()
}

// Resume ends Suspend.
func (pc *pushConsumer) Resume() {
	pc.mu.Lock()
	pc.paused = false
	pc.mu.Unlock()
}

// Start starts consuming; a second call does nothing.
func (pc *pushConsumer) Start() error {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.state != stateCreated {
		return nil
	}
	o := pc.options
	s := capi.ConsumerSettings{
		Group:             o.GroupName,
		NameServer:        pc.nameServer,
		NameServerDomain:  pc.domain,
		InstanceName:      o.InstanceName,
		Broadcasting:      o.ConsumerModel == BroadCasting,
		Orderly:           o.ConsumeOrderly,
		ConsumeFrom:       int(o.FromWhere),
		MaxReconsumeTimes: int(o.MaxReconsumeTimes),
		BatchMaxSize:      o.ConsumeMessageBatchMaxSize,
		Threads:           o.ConsumeGoroutineNums,
		MaxCachePerQueue:  int(o.PullThresholdForQueue),
		MaxConsumeTps:     int(o.ConsumeTPS),
		Trace:             o.TraceConfig != nil,
		TraceTopic:        traceTopic(o.TraceConfig),
		Subscriptions:     make(map[string]string),
		SQL92:             make(map[string]bool),
	}
	if o.UnitName != "" {
		s.InstanceName += "@" + o.UnitName
	}
	if !o.Credentials.IsEmpty() {
		s.AccessKey, s.SecretKey = o.Credentials.AccessKey, o.Credentials.SecretKey
	}
	if o.FromWhere == ConsumeFromTimestamp {
		t, err := time.ParseInLocation("20060102150405", o.ConsumeTimestamp, time.Local)
		if err != nil {
			return fmt.Errorf("consume timestamp %q: %w", o.ConsumeTimestamp, err)
		}
		s.ConsumeTimestamp = t.UnixMilli()
	}
	for topic, sub := range pc.subs {
		s.Subscriptions[topic] = sub.expression
		s.SQL92[topic] = sub.sql92
	}
	c, err := capi.NewPushConsumer(s, pc.consume)
	if err != nil {
		return err
	}
	if err := c.Start(); err != nil {
		_ = c.Destroy()
		return err
	}
	pc.c = c
	pc.state = stateRunning
	return nil
}

// Shutdown stops consuming: callbacks in flight finish, offsets are committed, and it returns
// once no library thread of this consumer is left; no callback runs after it.
func (pc *pushConsumer) Shutdown() error {
	pc.mu.Lock()
	c := pc.c
	wasRunning := pc.state == stateRunning
	pc.state = stateStopped
	pc.c = nil
	pc.mu.Unlock()
	if !wasRunning || c == nil {
		return nil
	}
	if err := c.Destroy(); err != nil {
		// Still running (Shutdown from its own callback): it can be shut down later.
		pc.mu.Lock()
		pc.c, pc.state = c, stateRunning
		pc.mu.Unlock()
		return err
	}
	return nil
}

// consume runs on a library consume thread for one batch of one queue.
func (pc *pushConsumer) consume(q capi.Queue, batch []*capi.MessageExt) bool {
	mq := convert.Queue(q)
	msgs := make([]*primitive.MessageExt, len(batch))
	for i, m := range batch {
		msgs[i] = convert.MessageExt(m, mq)
	}
	for {
		pc.mu.RLock()
		paused, running := pc.paused, pc.state == stateRunning
		sub, ok := pc.subs[msgs[0].Topic]
		pc.mu.RUnlock()
		if !paused || !running {
			if !ok {
				rlog.Warning("message of a topic with no subscription", map[string]interface{}{rlog.LogKeyTopic: msgs[0].Topic})
				return false
			}
			if sub.f == nil {
				return true // unsubscribed
			}
			return pc.call(sub.f, mq, msgs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// call runs the user's callback with v2's context values; a panic is recovered and logged, and
// the messages come again later.
func (pc *pushConsumer) call(f Callback, mq *primitive.MessageQueue, msgs []*primitive.MessageExt) (ok bool) {
	defer func() {
		if e := recover(); e != nil {
			rlog.Error("panic in a consume callback; the messages will be delivered again", map[string]interface{}{
				"panic": e, rlog.LogKeyConsumerGroup: pc.options.GroupName, rlog.LogKeyMessageQueue: mq.String()})
			if primitive.PanicHandler != nil {
				primitive.PanicHandler(e)
			}
			ok = false
		}
	}()
	ctx := primitive.WithMethod(context.Background(), primitive.ConsumerPush)
	cctx := &primitive.ConsumeMessageContext{ConsumerGroup: pc.options.GroupName, Msgs: msgs, MQ: mq, Properties: map[string]string{}}
	ctx = primitive.WithConsumerCtx(ctx, cctx)
	if pc.options.ConsumeOrderly {
		octx := primitive.NewConsumeOrderlyContext()
		octx.MQ = *mq
		ctx = primitive.WithOrderlyCtx(ctx, octx)
	} else {
		c := primitive.NewConsumeConcurrentlyContext()
		c.MQ = *mq
		ctx = primitive.WithConcurrentlyCtx(ctx, c)
	}
	var result ConsumeResult
	var err error
	if pc.intercept != nil {
		holder := &ConsumeResultHolder{}
		err = pc.intercept(ctx, msgs, holder, func(ctx context.Context, req, reply interface{}) error {
			r, e := f(ctx, req.([]*primitive.MessageExt)...)
			reply.(*ConsumeResultHolder).ConsumeResult = r
			return e
		})
		result = holder.ConsumeResult
	} else {
		result, err = f(ctx, msgs...)
	}
	if err != nil {
		rlog.Warning("consume callback returned an error", map[string]interface{}{rlog.LogKeyUnderlayError: err})
	}
	return result == ConsumeSuccess
}
