// Package producer holds the producer options and queue selectors of rocketmq-client-go/v2
// v2.1.1 and the producers themselves, over librocketmq.
package producer

import (
	"time"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
)

// Option sets a producer option.
type Option func(*producerOptions)

type producerOptions struct {
	GroupName                  string
	InstanceName               string
	Namespace                  string
	UnitName                   string
	SendMsgTimeout             time.Duration
	VIPChannel                 bool
	RetryTimes                 int
	Interceptors               []primitive.Interceptor
	Selector                   QueueSelector
	Credentials                primitive.Credentials
	DefaultTopicQueueNums      int
	CreateTopicKey             string
	Resolver                   primitive.NsResolver
	CompressMsgBodyOverHowmuch int
	CompressLevel              int
	TraceConfig                *primitive.TraceConfig
}

func defaultProducerOptions() producerOptions {
	return producerOptions{
		GroupName:                  "DEFAULT_PRODUCER",
		InstanceName:               "DEFAULT",
		SendMsgTimeout:             3 * time.Second,
		RetryTimes:                 3,
		DefaultTopicQueueNums:      4,
		CreateTopicKey:             "TBW102",
		Resolver:                   primitive.NewHttpResolver("DEFAULT"),
		CompressMsgBodyOverHowmuch: 4096,
		CompressLevel:              5,
	}
}

// WithGroupName sets the producer group ("" ignored).
func WithGroupName(group string) Option {
	return func(o *producerOptions) {
		if group != "" {
			o.GroupName = group
		}
	}
}

// WithInstanceName sets the instance name.
func WithInstanceName(name string) Option {
	return func(o *producerOptions) { o.InstanceName = name }
}

// WithNamespace prefixes topics with "<namespace>%".
func WithNamespace(namespace string) Option {
	return func(o *producerOptions) { o.Namespace = namespace }
}

// WithUnitName sets the unit name (v2.1.2; part of the instance name here).
func WithUnitName(unitName string) Option {
	return func(o *producerOptions) { o.UnitName = unitName }
}

// WithSendMsgTimeout bounds every synchronous send (all attempts) and each asynchronous one.
func WithSendMsgTimeout(duration time.Duration) Option {
	return func(o *producerOptions) { o.SendMsgTimeout = duration }
}

// WithVIPChannel has no effect (as in v2).
func WithVIPChannel(enable bool) Option {
	return func(o *producerOptions) { o.VIPChannel = enable }
}

// WithRetry sets the attempts of a synchronous or one-way send after the first.
func WithRetry(retries int) Option {
	return func(o *producerOptions) { o.RetryTimes = retries }
}

// WithInterceptor adds interceptors (the first is outermost).
func WithInterceptor(f ...primitive.Interceptor) Option {
	return func(o *producerOptions) { o.Interceptors = append(o.Interceptors, f...) }
}

// WithQueueSelector sets the queue selector.
func WithQueueSelector(s QueueSelector) Option {
	return func(o *producerOptions) { o.Selector = s }
}

// WithCredentials signs requests (ACL) when both keys are set.
func WithCredentials(c primitive.Credentials) Option {
	return func(o *producerOptions) { o.Credentials = c }
}

// WithDefaultTopicQueueNums is accepted (topics are created by the broker's settings).
func WithDefaultTopicQueueNums(queueNum int) Option {
	return func(o *producerOptions) { o.DefaultTopicQueueNums = queueNum }
}

// WithCreateTopicKey is accepted (the library uses TBW102).
func WithCreateTopicKey(topic string) Option {
	return func(o *producerOptions) { o.CreateTopicKey = topic }
}

// WithNsResolver sets the name-server resolver (called at construction).
func WithNsResolver(resolver primitive.NsResolver) Option {
	return func(o *producerOptions) { o.Resolver = resolver }
}

// WithNameServer sets the name servers.
func WithNameServer(nameServers primitive.NamesrvAddr) Option {
	return func(o *producerOptions) { o.Resolver = primitive.NewPassthroughResolver(nameServers) }
}

// WithNameServerDomain asks the HTTP endpoint nameServerUrl for the name servers.
func WithNameServerDomain(nameServerUrl string) Option {
	return func(o *producerOptions) { o.Resolver = primitive.NewHttpResolver("DEFAULT", nameServerUrl) }
}

// WithCompressMsgBodyOverHowmuch compresses bodies of at least threshold bytes.
func WithCompressMsgBodyOverHowmuch(threshold int) Option {
	return func(o *producerOptions) { o.CompressMsgBodyOverHowmuch = threshold }
}

// WithCompressLevel sets the zlib level (0..9).
func WithCompressLevel(level int) Option {
	return func(o *producerOptions) { o.CompressLevel = level }
}

// WithTrace turns message trace on: Pub records of every send to traceCfg.TraceTopic
// (RMQ_SYS_TRACE_TOPIC when empty), sent by the library over this producer's own connections
// and credentials (the config's other fields are not needed).
func WithTrace(traceCfg *primitive.TraceConfig) Option {
	return func(o *producerOptions) { o.TraceConfig = traceCfg }
}

// traceTopic is the trace topic a config names ("": the library's default).
func traceTopic(cfg *primitive.TraceConfig) string {
	if cfg == nil {
		return ""
	}
	return cfg.TraceTopic
}
