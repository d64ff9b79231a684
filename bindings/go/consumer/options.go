// Package consumer holds the consumer options, enums and the push consumer of
// rocketmq-client-go/v2 v2.1.1, over librocketmq.
package consumer

import (
	"time"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
)

// MessageModel: clustering (queues divided in the group) or broadcasting.
type MessageModel int

const (
	BroadCasting MessageModel = iota
	Clustering
)

func (mode MessageModel) String() string {
	switch mode {
	case BroadCasting:
		return "BroadCasting"
	case Clustering:
		return "Clustering"
	default:
		return "Unknown"
	}
}

// ConsumeFromWhere: where a queue without a stored offset of the group starts.
type ConsumeFromWhere int

const (
	ConsumeFromLastOffset ConsumeFromWhere = iota
	ConsumeFromFirstOffset
	ConsumeFromTimestamp
)

// ConsumeResult of a callback.
type ConsumeResult int

const (
	ConsumeSuccess ConsumeResult = iota
	ConsumeRetryLater
	Commit
	Rollback
	SuspendCurrentQueueAMoment
)

// ConsumeResultHolder is the reply of a consumer interceptor.
type ConsumeResultHolder struct {
	ConsumeResult
}

// ExpressionType of a selector.
type ExpressionType string

const (
	SQL92 = ExpressionType("SQL92")
	TAG   = ExpressionType("TAG")
)

// IsTagType is true for "" and TAG.
func IsTagType(exp string) bool {
	return exp == "" || exp == string(TAG)
}

// MessageSelector filters a subscription; the zero value takes every message.
type MessageSelector struct {
	Type       ExpressionType
	Expression string
}

// AllocateStrategy divides queues among a group's consumers (the library always uses the
// Java client's averaging; the option is accepted).
type AllocateStrategy func(string, string, []*primitive.MessageQueue, []string) []*primitive.MessageQueue

// AllocateByAveragely is the Java client's "averagely" allocation.
func AllocateByAveragely(consumerGroup, currentCID string, mqAll []*primitive.MessageQueue, cidAll []string) []*primitive.MessageQueue {
	index := -1
	for i, c := range cidAll {
		if c == currentCID {
			index = i
			break
		}
	}
	if index < 0 || len(mqAll) == 0 {
		return nil
	}
	n, m := len(mqAll), len(cidAll)
	mod := n % m
	var size int
	switch {
	case n <= m:
		size = 1
	case mod > 0 && index < mod:
		size = n/m + 1
	default:
		size = n / m
	}
	start := index * size
	if mod > 0 && index >= mod {
		start = index*size + mod
	}
	count := size
	if n-start < count {
		count = n - start
	}
	out := make([]*primitive.MessageQueue, 0, count)
	for i := 0; i < count; i++ {
		out = append(out, mqAll[(start+i)%n])
	}
	return out
}

// Option sets a consumer option.
type Option func(*consumerOptions)

type consumerOptions struct {
	GroupName                  string
	InstanceName               string
	Namespace                  string
	UnitName                   string
	Resolver                   primitive.NsResolver
	Credentials                primitive.Credentials
	ConsumerModel              MessageModel
	FromWhere                  ConsumeFromWhere
	ConsumeTimestamp           string
	ConsumeOrderly             bool
	ConsumeMessageBatchMaxSize int
	PullBatchSize              int32
	PullInterval               time.Duration
	MaxReconsumeTimes          int32
	ConsumeConcurrentlyMaxSpan int
	ConsumeGoroutineNums       int
	PullThresholdForQueue      int64
	Interceptors               []primitive.Interceptor
	Strategy                   AllocateStrategy
	RebalanceLockInterval      time.Duration
	AutoCommit                 bool
	SuspendCurrentQueueTime    time.Duration
	RetryTimes                 int
	VIPChannel                 bool
	TraceConfig                *primitive.TraceConfig
	ConsumeTPS                 int32
}

func defaultPushConsumerOptions() consumerOptions {
	return consumerOptions{
		GroupName:                  "DEFAULT_CONSUMER",
		InstanceName:               "DEFAULT",
		Resolver:                   primitive.NewHttpResolver("DEFAULT"),
		ConsumerModel:              Clustering,
		FromWhere:                  ConsumeFromLastOffset,
		ConsumeTimestamp:           time.Now().Add(-30 * time.Minute).Format("20060102150405"),
		ConsumeMessageBatchMaxSize: 1,
		PullBatchSize:              32,
		MaxReconsumeTimes:          -1,
		Strategy:                   AllocateByAveragely,
		RebalanceLockInterval:      20 * time.Second,
		AutoCommit:                 true,
		RetryTimes:                 3,
	}
}

func WithConsumerModel(m MessageModel) Option {
	return func(o *consumerOptions) { o.ConsumerModel = m }
}
func WithConsumeFromWhere(w ConsumeFromWhere) Option {
	return func(o *consumerOptions) { o.FromWhere = w }
}

// WithConsumeTimestamp: yyyyMMddHHmmss (local time), with ConsumeFromTimestamp.
func WithConsumeTimestamp(consumeTimestamp string) Option {
	return func(o *consumerOptions) { o.ConsumeTimestamp = consumeTimestamp }
}
func WithConsumerOrder(order bool) Option {
	return func(o *consumerOptions) { o.ConsumeOrderly = order }
}

// WithConsumeMessageBatchMaxSize: messages per callback (1..1024).
func WithConsumeMessageBatchMaxSize(consumeMessageBatchMaxSize int) Option {
	return func(o *consumerOptions) { o.ConsumeMessageBatchMaxSize = consumeMessageBatchMaxSize }
}

// WithPullBatchSize is accepted (the library pulls 32 at a time).
func WithPullBatchSize(batchSize int32) Option {
	return func(o *consumerOptions) { o.PullBatchSize = batchSize }
}

// WithPullInterval is accepted (the library long-polls without pause).
func WithPullInterval(interval time.Duration) Option {
	return func(o *consumerOptions) { o.PullInterval = interval }
}

// WithMaxReconsumeTimes: deliveries of a failing message before the dead-letter queue.
func WithMaxReconsumeTimes(times int32) Option {
	return func(o *consumerOptions) { o.MaxReconsumeTimes = times }
}
func WithConsumeConcurrentlyMaxSpan(consumeConcurrentlyMaxSpan int) Option {
	return func(o *consumerOptions) { o.ConsumeConcurrentlyMaxSpan = consumeConcurrentlyMaxSpan }
}

// WithConsumerPullTimeout has no effect (as in v2).
func WithConsumerPullTimeout(consumerPullTimeout time.Duration) Option {
	return func(o *consumerOptions) {}
}
func WithInterceptor(fs ...primitive.Interceptor) Option {
	return func(o *consumerOptions) { o.Interceptors = append(o.Interceptors, fs...) }
}

// WithGroupName sets the group ("" ignored).
func WithGroupName(group string) Option {
	return func(o *consumerOptions) {
		if group != "" {
			o.GroupName = group
		}
	}
}

// WithInstance sets the instance name (v2's name for it in this package).
func WithInstance(name string) Option { return func(o *consumerOptions) { o.InstanceName = name } }

// WithInstanceName is WithInstance under the producer package's name.
func WithInstanceName(name string) Option { return WithInstance(name) }

// WithNamespace prefixes the group and topics with "<namespace>%".
func WithNamespace(namespace string) Option {
	return func(o *consumerOptions) { o.Namespace = namespace }
}
func WithUnitName(unitName string) Option { return func(o *consumerOptions) { o.UnitName = unitName } }
func WithVIPChannel(enable bool) Option   { return func(o *consumerOptions) { o.VIPChannel = enable } }

// WithRetry has no effect on consumers (as in v2).
func WithRetry(retries int) Option { return func(o *consumerOptions) { o.RetryTimes = retries } }
func WithCredentials(c primitive.Credentials) Option {
	return func(o *consumerOptions) { o.Credentials = c }
}

// WithStrategy is accepted; the library allocates averagely (as Java and v2's default).
func WithStrategy(strategy AllocateStrategy) Option {
	return func(o *consumerOptions) { o.Strategy = strategy }
}
func WithRebalanceLockInterval(interval time.Duration) Option {
	return func(o *consumerOptions) { o.RebalanceLockInterval = interval }
}
func WithAutoCommit(auto bool) Option { return func(o *consumerOptions) { o.AutoCommit = auto } }
func WithSuspendCurrentQueueTimeMillis(suspendT time.Duration) Option {
	return func(o *consumerOptions) { o.SuspendCurrentQueueTime = suspendT }
}
func WithNsResolver(resolver primitive.NsResolver) Option {
	return func(o *consumerOptions) { o.Resolver = resolver }
}
func WithNameServer(nameServers primitive.NamesrvAddr) Option {
	return func(o *consumerOptions) { o.Resolver = primitive.NewPassthroughResolver(nameServers) }
}
func WithNameServerDomain(nameServerUrl string) Option {
	return func(o *consumerOptions) { o.Resolver = primitive.NewHttpResolver("DEFAULT", nameServerUrl) }
}

// WithTrace turns message trace on: SubBefore and SubAfter records of every consumed message
// to traceCfg.TraceTopic (RMQ_SYS_TRACE_TOPIC when empty), sent by the library over this
// consumer's own connections and credentials (the config's other fields are not needed).
func WithTrace(traceCfg *primitive.TraceConfig) Option {
	return func(o *consumerOptions) { o.TraceConfig = traceCfg }
}

// traceTopic is the trace topic a config names ("": the library's default).
func traceTopic(cfg *primitive.TraceConfig) string {
	if cfg == nil {
		return ""
	}
	return cfg.TraceTopic
}

// WithConsumeGoroutineNums: the consumer's callback threads (v2.1.2).
func WithConsumeGoroutineNums(nums int) Option {
	return func(o *consumerOptions) { o.ConsumeGoroutineNums = nums }
}

// WithPullThresholdForQueue: cached messages per queue before pulling pauses (v2.1.2).
func WithPullThresholdForQueue(pullThresholdForQueue int64) Option {
	return func(o *consumerOptions) { o.PullThresholdForQueue = pullThresholdForQueue }
}

// WithConsumeTPS: the most messages per second handed to callbacks (master).
func WithConsumeTPS(tps int32) Option { return func(o *consumerOptions) { o.ConsumeTPS = tps } }
