package consumer

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/errors"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/internal/capi"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/internal/convert"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
)

// PullConsumer is v2.1.1's consumer.PullConsumer interface (Start and Shutdown without error
// results, as there; *defaultPullConsumer's own methods return errors).
type PullConsumer interface {
	Start()
	Shutdown()
	Pull(ctx context.Context, topic string, selector MessageSelector, numbers int) (*primitive.PullResult, error)
	PullFrom(ctx context.Context, queue *primitive.MessageQueue, offset int64, numbers int) (*primitive.PullResult, error)
	CurrentOffset(queue *primitive.MessageQueue) (int64, error)
	UpdateOffset(queue *primitive.MessageQueue, offset int64) error
	PersistOffset(ctx context.Context) error
}

type defaultPullConsumer struct {
	options    consumerOptions
	nameServer string

	mu      sync.Mutex
	c       *capi.PullConsumer
	offsets map[primitive.MessageQueue]int64
	next    map[string]int
}

// NewPullConsumer creates a pull consumer (v2.1.1's consumer.NewPullConsumer). Offsets are
// kept in memory, per queue; Pull continues from where the previous Pull of that queue ended.
func NewPullConsumer(opts ...Option) (*defaultPullConsumer, error) {
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
	return &defaultPullConsumer{options: o, nameServer: strings.Join(addrs, ";"),
		offsets: map[primitive.MessageQueue]int64{}, next: map[string]int{}}, nil
}

// Start starts the consumer.
func (pc *defaultPullConsumer) Start() error {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.c != nil {
		return nil
	}
	creds := pc.options.Credentials
	if creds.IsEmpty() {
		creds = primitive.Credentials{}
	}
	c, err := capi.NewPullConsumer(pc.options.GroupName, pc.nameServer, pc.options.InstanceName, creds.AccessKey, creds.SecretKey)
	if err != nil {
		return err
	}
	pc.c = c
	return nil
}

// Shutdown stops the consumer.
func (pc *defaultPullConsumer) Shutdown() error {
	pc.mu.Lock()
	c := pc.c
	pc.c = nil
	pc.mu.Unlock()
	if c == nil {
		return nil
	}
	return c.Destroy()
}

func (pc *defaultPullConsumer) running() (*capi.PullConsumer, error) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.c == nil {
		return nil, fmt.Errorf("state not running, actually: %d", 0)
	}
	return pc.c, nil
}

func (pc *defaultPullConsumer) topic(t string) string {
	ns := pc.options.Namespace
	if ns == "" || strings.HasPrefix(t, ns+"%") {
		return t
	}
	return ns + "%" + t
}

// Pull pulls up to numbers messages of the topic's next queue (round robin) from that queue's
// current offset, and moves the offset past them.
func (pc *defaultPullConsumer) Pull(ctx context.Context, topic string, selector MessageSelector, numbers int) (*primitive.PullResult, error) {
	if numbers <= 0 {
		return nil, errors.ErrNumbers
	}
	if !IsTagType(string(selector.Type)) {
		return nil, fmt.Errorf("selector type %s: the pull consumer takes TAG expressions", selector.Type)
	}
	c, err := pc.running()
	if err != nil {
		return nil, err
	}
	topic = pc.topic(topic)
	queues, err := c.Queues(topic)
	if err != nil {
		return nil, err
	}
	if len(queues) == 0 {
		return nil, errors.ErrMQEmpty
	}
	pc.mu.Lock()
	i := pc.next[topic] % len(queues)
	pc.next[topic] = i + 1
	mq := convert.Queue(queues[i])
	offset := pc.offsets[*mq]
	pc.mu.Unlock()
	res, err := pc.pull(c, mq, selector.Expression, offset, numbers)
	if err == nil && res.NextBeginOffset > offset {
		_ = pc.UpdateOffset(mq, res.NextBeginOffset)
	}
	return res, err
}

// PullFrom pulls up to numbers messages of queue from offset (offsets are not changed).
func (pc *defaultPullConsumer) PullFrom(ctx context.Context, queue *primitive.MessageQueue, offset int64, numbers int) (*primitive.PullResult, error) {
	switch {
	case queue == nil:
		return nil, errors.ErrMQEmpty
	case offset < 0:
		return nil, errors.ErrOffset
	case numbers <= 0:
		return nil, errors.ErrNumbers
	}
	c, err := pc.running()
	if err != nil {
		return nil, err
	}
	return pc.pull(c, queue, "*", offset, numbers)
}

func (pc *defaultPullConsumer) pull(c *capi.PullConsumer, mq *primitive.MessageQueue, expression string, offset int64, numbers int) (*primitive.PullResult, error) {
	if strings.TrimSpace(expression) == "" {
		expression = "*"
	}
	r, err := c.Pull(capi.Queue{Topic: mq.Topic, BrokerName: mq.BrokerName, QueueID: mq.QueueId}, expression, offset, numbers)
	if err != nil {
		return nil, err
	}
	if r.Status == int(primitive.PullBrokerTimeout) {
		return nil, errors.ErrRequestTimeout
	}
	res := &primitive.PullResult{NextBeginOffset: r.NextBeginOffset, MinOffset: r.MinOffset, MaxOffset: r.MaxOffset,
		Status: primitive.PullStatus(r.Status)}
	msgs := make([]*primitive.MessageExt, len(r.Messages))
	for i, m := range r.Messages {
		msgs[i] = convert.MessageExt(m, mq)
	}
	res.SetMessageExts(msgs)
	return res, nil
}

// CurrentOffset is the queue's offset in memory (0 before any).
func (pc *defaultPullConsumer) CurrentOffset(queue *primitive.MessageQueue) (int64, error) {
	if queue == nil {
		return 0, errors.ErrMQEmpty
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.offsets[*queue], nil
}

// UpdateOffset sets the queue's offset in memory.
func (pc *defaultPullConsumer) UpdateOffset(queue *primitive.MessageQueue, offset int64) error {
	if queue == nil {
		return errors.ErrMQEmpty
	}
	if offset < 0 {
		return errors.ErrOffset
	}
	pc.mu.Lock()
	pc.offsets[*queue] = offset
	pc.mu.Unlock()
	return nil
}

// PersistOffset keeps the offsets in memory (as v2.1.1's pull consumer).
func (pc *defaultPullConsumer) PersistOffset(ctx context.Context) error {
	return nil
}
