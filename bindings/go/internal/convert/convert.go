// Package convert moves data between the capi package's plain types and primitive's.
package convert

import (
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/internal/capi"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
)

// Message is m as the library takes it; properties copied.
func Message(m *primitive.Message, topic string) *capi.Message {
	return &capi.Message{Topic: topic, Body: m.Body, Properties: m.GetProperties()}
}

// MessageExt is a consumed message as v2 users see it: MsgId, TransactionId of transactional
// messages, Queue with at least its id.
func MessageExt(m *capi.MessageExt, mq *primitive.MessageQueue) *primitive.MessageExt {
	out := &primitive.MessageExt{
		MsgId:                     m.MsgID,
		OffsetMsgId:               m.OffsetMsgID,
		StoreSize:                 m.StoreSize,
		SysFlag:                   m.SysFlag,
		BodyCRC:                   m.BodyCRC,
		QueueOffset:               m.QueueOffset,
		BornTimestamp:             m.BornTimestamp,
		BornHost:                  m.BornHost,
		StoreTimestamp:            m.StoreTimestamp,
		StoreHost:                 m.StoreHost,
		CommitLogOffset:           m.CommitLogOffset,
		ReconsumeTimes:            m.ReconsumeTimes,
		PreparedTransactionOffset: m.PreparedTransactionOffset,
	}
	out.Topic = m.Topic
	out.Flag = m.Flag
	out.Body = m.Body
	out.WithProperties(m.Properties)
	if m.Properties[primitive.PropertyTransactionPrepared] == "true" {
		out.TransactionId = m.Properties[primitive.PropertyUniqueClientMessageIdKeyIndex]
	}
	if mq != nil {
		q := *mq
		out.Queue = &q
	} else {
		out.Queue = &primitive.MessageQueue{Topic: m.Topic, QueueId: m.QueueID}
	}
	return out
}

// Queue converts a queue.
func Queue(q capi.Queue) *primitive.MessageQueue {
	return &primitive.MessageQueue{Topic: q.Topic, BrokerName: q.BrokerName, QueueId: q.QueueID}
}

// SendResult converts a send result (RegionID as v2 without a region: DefaultRegion).
func SendResult(r capi.SendResult) *primitive.SendResult {
	return &primitive.SendResult{
		Status:        primitive.SendStatus(r.Status),
		MsgID:         r.MsgID,
		MessageQueue:  Queue(r.Queue),
		QueueOffset:   r.QueueOffset,
		TransactionID: r.TransactionID,
		OffsetMsgID:   r.OffsetMsgID,
		RegionID:      "DefaultRegion",
	}
}
