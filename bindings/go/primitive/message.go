// Package primitive holds the data types of rocketmq-client-go/v2 v2.1.1 (messages, queues,
// results, resolvers, contexts), with the same fields, constants and String formats.
package primitive

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Property names.
const (
	PropertyKeySeparator                   = " "
	PropertyKeys                           = "KEYS"
	PropertyTags                           = "TAGS"
	PropertyWaitStoreMsgOk                 = "WAIT"
	PropertyDelayTimeLevel                 = "DELAY"
	PropertyRetryTopic                     = "RETRY_TOPIC"
	PropertyRealTopic                      = "REAL_TOPIC"
	PropertyRealQueueId                    = "REAL_QID"
	PropertyTransactionPrepared            = "TRAN_MSG"
	PropertyProducerGroup                  = "PGROUP"
	PropertyMinOffset                      = "MIN_OFFSET"
	PropertyMaxOffset                      = "MAX_OFFSET"
	PropertyBuyerId                        = "BUYER_ID"
	PropertyOriginMessageId                = "ORIGIN_MESSAGE_ID"
	PropertyTransferFlag                   = "TRANSFER_FLAG"
	PropertyCorrectionFlag                 = "CORRECTION_FLAG"
	PropertyMQ2Flag                        = "MQ2_FLAG"
	PropertyReconsumeTime                  = "RECONSUME_TIME"
	PropertyMsgRegion                      = "MSG_REGION"
	PropertyTraceSwitch                    = "TRACE_ON"
	PropertyUniqueClientMessageIdKeyIndex  = "UNIQ_KEY"
	PropertyMaxReconsumeTimes              = "MAX_RECONSUME_TIMES"
	PropertyConsumeStartTime               = "CONSUME_START_TIME"
	PropertyTranscationPreparedQueueOffset = "TRAN_PREPARED_QUEUE_OFFSET"
	PropertyTranscationCheckTimes          = "TRANSACTION_CHECK_TIMES"
	PropertyCheckImmunityTimeInSeconds     = "CHECK_IMMUNITY_TIME_IN_SECONDS"
	PropertyShardingKey                    = "SHARDING_KEY"
	PropertyTransactionID                  = "__transactionId__"
	PropertyCorrelationID                  = "CORRELATION_ID"
	PropertyMessageReplyToClient           = "REPLY_TO_CLIENT"
	PropertyMessageTTL                     = "TTL"
	PropertyReplyMessageArriveTime         = "ARRIVE_TIME"
	PropertyMsgType                        = "MSG_TYPE"
	PropertyCluster                        = "CLUSTER"
)

// Message is a message to send (or the message part of a consumed one).
type Message struct {
	Topic          string
	Body           []byte
	CompressedBody []byte
	Flag           int32
	TransactionId  string
	Batch          bool
	Compress       bool
	// Queue is the target queue of the manual queue selector.
	Queue *MessageQueue

	properties map[string]string
	mutex      sync.RWMutex
}

// NewMessage is a message with an empty property map.
func NewMessage(topic string, body []byte) *Message {
	return &Message{Topic: topic, Body: body, properties: make(map[string]string)}
}

// WithProperties replaces the whole property map (not copied).
func (m *Message) WithProperties(p map[string]string) {
	m.mutex.Lock()
	m.properties = p
	m.mutex.Unlock()
}

// WithProperty sets one property; an empty key or value is ignored.
func (m *Message) WithProperty(key, value string) {
	if key == "" || value == "" {
		return
	}
	m.mutex.Lock()
	if m.properties == nil {
		m.properties = make(map[string]string)
	}
	m.properties[key] = value
	m.mutex.Unlock()
}

// GetProperty is the property's value, or "".
func (m *Message) GetProperty(key string) string {
	m.mutex.RLock()
	defer m.mutex.RUnlock()
	return m.properties[key]
}

// RemoveProperty removes a property and returns its value.
func (m *Message) RemoveProperty(key string) string {
	m.mutex.Lock()
	defer m.mutex.Unlock()
	v := m.properties[key]
	delete(m.properties, key)
	return v
}

// GetProperties is a copy of the properties.
func (m *Message) GetProperties() map[string]string {
	m.mutex.RLock()
	defer m.mutex.RUnlock()
	out := make(map[string]string, len(m.properties))
	for k, v := range m.properties {
		out[k] = v
	}
	return out
}

// WithTag sets the tag.
func (m *Message) WithTag(tags string) *Message {
	m.WithProperty(PropertyTags, tags)
	return m
}

// WithKeys sets the keys, joined by single spaces. (v2.1.1 left a trailing space after the
// last key; it is not there: what comes back is what was given.)
func (m *Message) WithKeys(keys []string) *Message {
	m.WithProperty(PropertyKeys, strings.Join(keys, PropertyKeySeparator))
	return m
}

// WithShardingKey sets the sharding key; messages with one key go to one queue (see the
// producer package's default queue selector).
func (m *Message) WithShardingKey(key string) *Message {
	m.WithProperty(PropertyShardingKey, key)
	return m
}

// WithDelayTimeLevel sets the delay level (1..18: 1s 5s 10s 30s 1m ... 2h on a default broker).
func (m *Message) WithDelayTimeLevel(level int) *Message {
	m.WithProperty(PropertyDelayTimeLevel, fmt.Sprint(level))
	return m
}

func (m *Message) GetTags() string        { return m.GetProperty(PropertyTags) }
func (m *Message) GetKeys() string        { return m.GetProperty(PropertyKeys) }
func (m *Message) GetShardingKey() string { return m.GetProperty(PropertyShardingKey) }

// MarshallProperties is the k\x01v\x02 form of the properties.
func (m *Message) MarshallProperties() string {
	m.mutex.RLock()
	defer m.mutex.RUnlock()
	var b strings.Builder
	for k, v := range m.properties {
		b.WriteString(k)
		b.WriteByte(1)
		b.WriteString(v)
		b.WriteByte(2)
	}
	return b.String()
}

// UnmarshalProperties adds the properties of a k\x01v\x02 text.
func (m *Message) UnmarshalProperties(data []byte) {
	m.mutex.Lock()
	defer m.mutex.Unlock()
	if m.properties == nil {
		m.properties = make(map[string]string)
	}
	for _, pair := range strings.Split(string(data), "\x02") {
		if k, v, ok := strings.Cut(pair, "\x01"); ok && k != "" {
			m.properties[k] = v
		}
	}
}

// String is v2.1.1's format: body as text, properties in map syntax with sorted keys.
func (m *Message) String() string {
	return fmt.Sprintf("[topic=%s, body=%s, Flag=%d, properties=%v, TransactionId=%s]",
		m.Topic, string(m.Body), m.Flag, m.GetProperties(), m.TransactionId)
}

// MessageExt is a consumed (or checked back) message.
type MessageExt struct {
	Message
	MsgId                     string
	OffsetMsgId               string
	StoreSize                 int32
	QueueOffset               int64
	SysFlag                   int32
	BornTimestamp             int64
	BornHost                  string
	StoreTimestamp            int64
	StoreHost                 string
	CommitLogOffset           int64
	BodyCRC                   int32
	ReconsumeTimes            int32
	PreparedTransactionOffset int64
}

func (msgExt *MessageExt) GetTags() string     { return msgExt.GetProperty(PropertyTags) }
func (msgExt *MessageExt) GetRegionID() string { return msgExt.GetProperty(PropertyMsgRegion) }
func (msgExt *MessageExt) IsTraceOn() string   { return msgExt.GetProperty(PropertyTraceSwitch) }

// String is v2.1.1's format (no space before QueueId).
func (msgExt *MessageExt) String() string {
	queueID := 0
	if msgExt.Queue != nil {
		queueID = msgExt.Queue.QueueId
	}
	return fmt.Sprintf("[Message=%s, MsgId=%s, OffsetMsgId=%s,QueueId=%d, StoreSize=%d, QueueOffset=%d, SysFlag=%d, "+
		"BornTimestamp=%d, BornHost=%s, StoreTimestamp=%d, StoreHost=%s, CommitLogOffset=%d, BodyCRC=%d, "+
		"ReconsumeTimes=%d, PreparedTransactionOffset=%d]", msgExt.Message.String(), msgExt.MsgId, msgExt.OffsetMsgId,
		queueID, msgExt.StoreSize, msgExt.QueueOffset, msgExt.SysFlag, msgExt.BornTimestamp, msgExt.BornHost,
		msgExt.StoreTimestamp, msgExt.StoreHost, msgExt.CommitLogOffset, msgExt.BodyCRC, msgExt.ReconsumeTimes,
		msgExt.PreparedTransactionOffset)
}

// MessageQueue is a queue of a topic on a broker.
type MessageQueue struct {
	Topic      string `json:"topic"`
	BrokerName string `json:"brokerName"`
	QueueId    int    `json:"queueId"`
}

func (mq *MessageQueue) String() string {
	return fmt.Sprintf("MessageQueue [topic=%s, brokerName=%s, queueId=%d]", mq.Topic, mq.BrokerName, mq.QueueId)
}

// HashCode is Java's MessageQueue.hashCode.
func (mq *MessageQueue) HashCode() int {
	result := 1
	result = 31*result + javaHash(mq.BrokerName)
	result = 31*result + mq.QueueId
	result = 31*result + javaHash(mq.Topic)
	return result
}

func javaHash(s string) int {
	var h int32
	for _, c := range s {
		h = 31*h + int32(c)
	}
	return int(h)
}

// sortedKeys is used by tests.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
