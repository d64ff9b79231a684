package producer

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

// maxMessageSize: v2 has no client-side limit; the broker's default is 4 MiB.
const maxMessageSize = 4 * 1024 * 1024

const (
	stateCreated = iota
	stateRunning
	stateStopped
)

type defaultProducer struct {
	options   producerOptions
	settings  capi.ProducerSettings
	checker   capi.TransactionChecker
	intercept primitive.Interceptor

	mu    sync.RWMutex
	state int
	c     *capi.Producer
}

// NewDefaultProducer checks the options (name-server addresses as v2.1.1 does) and creates
// the producer; nothing goes to the network before Start.
func NewDefaultProducer(opts ...Option) (*defaultProducer, error) {
	return newProducer(nil, opts)
}

func newProducer(checker capi.TransactionChecker, opts []Option) (*defaultProducer, error) {
	o := defaultProducerOptions()
	for _, apply := range opts {
		apply(&o)
	}
	addrs, err := primitive.CheckAddresses(o.Resolver)
	if err != nil {
		return nil, err
	}
	if o.Credentials.IsEmpty() {
		o.Credentials = primitive.Credentials{}
	}
	instance := o.InstanceName
	if o.UnitName != "" {
		instance += "@" + o.UnitName
	}
	p := &defaultProducer{
		options:   o,
		checker:   checker,
		intercept: primitive.ChainInterceptors(o.Interceptors...),
		settings: capi.ProducerSettings{
			Group:          o.GroupName,
			NameServer:     strings.Join(addrs, ";"),
			InstanceName:   instance,
			AccessKey:      o.Credentials.AccessKey,
			SecretKey:      o.Credentials.SecretKey,
			SendTimeoutMs:  int(o.SendMsgTimeout / time.Millisecond),
			Retry:          o.RetryTimes,
			MaxMessageSize: maxMessageSize,
			CompressOver:   o.CompressMsgBodyOverHowmuch,
			CompressLevel:  o.CompressLevel,
			Trace:          o.TraceConfig != nil,
			TraceTopic:     traceTopic(o.TraceConfig),
		},
	}
	if h, isHTTP := o.Resolver.(*primitive.HttpResolver); isHTTP && len(o.Resolver.Resolve()) == 0 {
		p.settings.NameServer = ""
		p.settings.NameServerDomain = h.Domain()
	}
	return p, nil
}

// Start starts the producer; a second call does nothing. After Shutdown it cannot start again.
func (p *defaultProducer) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != stateCreated {
		return nil
	}
	c, err := capi.NewProducer(p.settings, p.checker)
	if err != nil {
		return err
	}
	if err := c.Start(); err != nil {
		_ = c.Destroy()
		return err
	}
	p.c = c
	p.state = stateRunning
	return nil
}

// Shutdown stops the producer and returns once none of its library threads is left.
func (p *defaultProducer) Shutdown() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != stateRunning {
		p.state = stateStopped
		return nil
	}
	p.state = stateStopped
	err := p.c.Destroy()
	p.c = nil
	return err
}

// running is the started library producer, or ErrNotRunning. The read lock is held until
// release, so that Shutdown waits for sends in progress.
func (p *defaultProducer) running() (*capi.Producer, func(), error) {
	p.mu.RLock()
	if p.state != stateRunning {
		p.mu.RUnlock()
		return nil, nil, errors.ErrNotRunning
	}
	return p.c, p.mu.RUnlock, nil
}

func (p *defaultProducer) checkMsgs(msgs []*primitive.Message) error {
	if len(msgs) == 0 {
		return errors.ErrMessageEmpty
	}
	if msgs[0].Topic == "" {
		return errors.ErrTopicEmpty
	}
	for _, m := range msgs[1:] {
		if m.Topic != msgs[0].Topic {
			return errors.ErrMultipleTopics
		}
	}
	return nil
}

// topic is msg's topic with the namespace prefix (added once).
func (p *defaultProducer) topic(t string) string {
	ns := p.options.Namespace
	if ns == "" || strings.HasPrefix(t, ns+"%") {
		return t
	}
	return ns + "%" + t
}

// timeoutMs: the send timeout, shortened by ctx's deadline.
func (p *defaultProducer) timeoutMs(ctx context.Context) (int, error) {
	timeout := p.options.SendMsgTimeout
	if deadline, ok := ctx.Deadline(); ok {
		left := time.Until(deadline)
		if left <= 0 {
			return 0, errors.ErrRequestTimeout
		}
		if timeout <= 0 || left < timeout {
			timeout = left
		}
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	ms := int(timeout / time.Millisecond)
	if ms <= 0 {
		ms = 1
	}
	return ms, nil
}

// queueFor is the queue the selector picks, or nil for the library's round robin. Without a
// selector option a message with a sharding key goes to its key's queue.
func (p *defaultProducer) queueFor(c *capi.Producer, msg *primitive.Message, topic string) (*capi.Queue, int, error) {
	selector := p.options.Selector
	if selector == nil {
		if msg.GetShardingKey() == "" {
			return nil, -1, nil
		}
		selector = shardingKeySelector
	}
	queues, err := c.Queues(topic)
	if err != nil {
		return nil, -1, err
	}
	mqs := make([]*primitive.MessageQueue, len(queues))
	for i := range queues {
		mqs[i] = convert.Queue(queues[i])
	}
	chosen := selector.Select(msg, mqs)
	if chosen == nil {
		return nil, -1, fmt.Errorf("the topic=%s route info not found", topic)
	}
	for i, q := range queues {
		if q.BrokerName == chosen.BrokerName && q.QueueID == chosen.QueueId {
			return &queues[i], i, nil
		}
	}
	return nil, -1, fmt.Errorf("the queue %s is not a writable queue of topic %s", chosen.String(), topic)
}

// sendErr is v2's error of a failed send: ErrRequestTimeout for a timeout, else the library's
// reason.
func sendErr(err error) error {
	text := err.Error()
	if strings.Contains(text, "timed out") || strings.Contains(text, "timeout") {
		rlog.Warning("send timed out", map[string]interface{}{rlog.LogKeyUnderlayError: text})
		return errors.ErrRequestTimeout
	}
	return err
}

// SendSync sends one message, or several of one topic as one batch.
func (p *defaultProducer) SendSync(ctx context.Context, msgs ...*primitive.Message) (*primitive.SendResult, error) {
	if err := p.checkMsgs(msgs); err != nil {
		return nil, err
	}
	c, release, err := p.running()
	if err != nil {
		return nil, err
	}
	defer release()
	resp := primitive.NewSendResult()
	send := func(ctx context.Context, req, reply interface{}) error {
		return p.sendSync(ctx, c, msgs, reply.(*primitive.SendResult))
	}
	if p.intercept != nil {
		pctx := &primitive.ProducerCtx{ProducerGroup: p.options.GroupName, CommunicationMode: primitive.SendSync,
			Namespace: p.options.Namespace, Props: map[string]string{}}
		ctx = primitive.WithProducerCtx(primitive.WithMethod(ctx, primitive.SendSync), pctx)
		err = p.intercept(ctx, msgs[0], resp, send)
	} else {
		err = send(ctx, msgs[0], resp)
	}
	return resp, err
}

func (p *defaultProducer) sendSync(ctx context.Context, c *capi.Producer, msgs []*primitive.Message, resp *primitive.SendResult) error {
	ms, err := p.timeoutMs(ctx)
	if err != nil {
		return err
	}
	topic := p.topic(msgs[0].Topic)
	var r capi.SendResult
	if len(msgs) > 1 {
		batch := make([]*capi.Message, len(msgs))
		for i, m := range msgs {
			batch[i] = convert.Message(m, topic)
		}
		r, err = c.SendBatch(batch)
	} else {
		msg := msgs[0]
		q, _, qerr := p.queueFor(c, msg, topic)
		if qerr != nil {
			return qerr
		}
		cm := convert.Message(msg, topic)
		r, err = c.SendSync(cm, q, ms)
		msg.WithProperty(primitive.PropertyUniqueClientMessageIdKeyIndex, cm.Properties[primitive.PropertyUniqueClientMessageIdKeyIndex])
	}
	if err != nil {
		return sendErr(err)
	}
	*resp = *convert.SendResult(r)
	return nil
}

// SendAsync sends one message (or a batch, sent synchronously before f runs) in one attempt;
// f runs exactly once, unless an error is returned.
func (p *defaultProducer) SendAsync(ctx context.Context, f func(context.Context, *primitive.SendResult, error), msgs ...*primitive.Message) error {
	if err := p.checkMsgs(msgs); err != nil {
		return err
	}
	c, release, err := p.running()
	if err != nil {
		return err
	}
	defer release()
	if len(msgs) > 1 {
		resp := primitive.NewSendResult()
		if err := p.sendSync(ctx, c, msgs, resp); err != nil {
			return err
		}
		go callSendCallback(ctx, f, resp, nil)
		return nil
	}
	msg := msgs[0]
	topic := p.topic(msg.Topic)
	q, _, err := p.queueFor(c, msg, topic)
	if err != nil {
		return err
	}
	cm := convert.Message(msg, topic)
	err = c.SendAsync(cm, q, func(r capi.SendResult, err error) {
		if err != nil {
			callSendCallback(ctx, f, nil, sendErr(err))
			return
		}
		callSendCallback(ctx, f, convert.SendResult(r), nil)
	})
	msg.WithProperty(primitive.PropertyUniqueClientMessageIdKeyIndex, cm.Properties[primitive.PropertyUniqueClientMessageIdKeyIndex])
	return err
}

// callSendCallback runs the user's callback; a panic in it is recovered and logged.
func callSendCallback(ctx context.Context, f func(context.Context, *primitive.SendResult, error), r *primitive.SendResult, err error) {
	defer func() {
		if e := recover(); e != nil {
			rlog.Error("panic in a SendAsync callback", map[string]interface{}{"panic": e})
			if primitive.PanicHandler != nil {
				primitive.PanicHandler(e)
			}
		}
	}()
	f(ctx, r, err)
}

// SendOneWay writes each message once, without waiting for the broker.
func (p *defaultProducer) SendOneWay(ctx context.Context, msgs ...*primitive.Message) error {
	if err := p.checkMsgs(msgs); err != nil {
		return err
	}
	c, release, err := p.running()
	if err != nil {
		return err
	}
	defer release()
	for _, msg := range msgs {
		topic := p.topic(msg.Topic)
		_, index, err := p.queueFor(c, msg, topic)
		if err != nil {
			return err
		}
		cm := convert.Message(msg, topic)
		if err := c.SendOneway(cm, index); err != nil {
			return err
		}
		msg.WithProperty(primitive.PropertyUniqueClientMessageIdKeyIndex, cm.Properties[primitive.PropertyUniqueClientMessageIdKeyIndex])
	}
	return nil
}

// RequestCallback is the callback of RequestAsync.
type RequestCallback func(ctx context.Context, msg *primitive.Message, err error)

// Request (request-reply) is not supported by the library yet.
func (p *defaultProducer) Request(ctx context.Context, ttl time.Duration, msg *primitive.Message) (*primitive.Message, error) {
	return nil, fmt.Errorf("request-reply is not supported by librocketmq")
}

// RequestAsync (request-reply) is not supported by the library yet.
func (p *defaultProducer) RequestAsync(ctx context.Context, ttl time.Duration, callback RequestCallback, msg *primitive.Message) error {
	return fmt.Errorf("request-reply is not supported by librocketmq")
}

// MarshalMessageBatch is the batch wire form of msgs.
func MarshalMessageBatch(msgs ...*primitive.Message) []byte {
	var out []byte
	for _, m := range msgs {
		props := []byte(m.MarshallProperties())
		size := 4 + 4 + 4 + 4 + 4 + len(m.Body) + 2 + len(props)
		b := make([]byte, 0, size)
		b = appendInt32(b, int32(size))
		b = appendInt32(b, 0) // magic code
		b = appendInt32(b, 0) // body CRC
		b = appendInt32(b, m.Flag)
		b = appendInt32(b, int32(len(m.Body)))
		b = append(b, m.Body...)
		b = append(b, byte(len(props)>>8), byte(len(props)))
		b = append(b, props...)
		out = append(out, b...)
	}
	return out
}

func appendInt32(b []byte, v int32) []byte {
	return append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}
