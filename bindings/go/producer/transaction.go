package producer

import (
	"context"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/errors"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/internal/capi"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/internal/convert"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/rlog"
)

type transactionProducer struct {
	producer *defaultProducer
	listener primitive.TransactionListener
}

// C transaction states: 0 commit, 1 rollback, 2 unknown; Go: 1, 2, 3.
func toC(s primitive.LocalTransactionState) int {
	switch s {
	case primitive.CommitMessageState:
		return 0
	case primitive.RollbackMessageState:
		return 1
	default:
		return 2
	}
}

// NewTransactionProducer creates a transaction producer; the broker's checks of transactions
// left unknown reach listener.CheckLocalTransaction.
func NewTransactionProducer(listener primitive.TransactionListener, opts ...Option) (*transactionProducer, error) {
	tp := &transactionProducer{listener: listener}
	p, err := newProducer(tp.check, opts)
	if err != nil {
		return nil, err
	}
	tp.producer = p
	return tp, nil
}

// check runs on the library's check thread; a panic is recovered (the state stays unknown, so
// the broker asks again later).
func (tp *transactionProducer) check(m *capi.MessageExt) (state int) {
	defer func() {
		if e := recover(); e != nil {
			rlog.Error("panic in CheckLocalTransaction", map[string]interface{}{"panic": e})
			state = toC(primitive.UnknowState)
		}
	}()
	msg := convert.MessageExt(m, nil)
	msg.TransactionId = m.Properties[primitive.PropertyUniqueClientMessageIdKeyIndex]
	return toC(tp.listener.CheckLocalTransaction(msg))
}

func (tp *transactionProducer) Start() error    { return tp.producer.Start() }
func (tp *transactionProducer) Shutdown() error { return tp.producer.Shutdown() }

// SendMessageInTransaction sends msg as a half message, runs ExecuteLocalTransaction on this
// goroutine and ends the transaction with its state.
func (tp *transactionProducer) SendMessageInTransaction(ctx context.Context, msg *primitive.Message) (*primitive.TransactionSendResult, error) {
	if msg == nil {
		return nil, errors.ErrMessageEmpty
	}
	if msg.Topic == "" {
		return nil, errors.ErrTopicEmpty
	}
	c, release, err := tp.producer.running()
	if err != nil {
		return nil, err
	}
	defer release()
	state := primitive.UnknowState
	cm := convert.Message(msg, tp.producer.topic(msg.Topic))
	r, err := c.SendTransaction(cm, func(props map[string]string) (rc int) {
		msg.WithProperties(props)
		msg.TransactionId = props[primitive.PropertyUniqueClientMessageIdKeyIndex]
		defer func() {
			if e := recover(); e != nil {
				rlog.Error("panic in ExecuteLocalTransaction", map[string]interface{}{"panic": e})
				state = primitive.UnknowState
				rc = toC(state)
			}
		}()
		state = tp.listener.ExecuteLocalTransaction(msg)
		if state != primitive.CommitMessageState {
			rlog.Error("executeLocalTransaction but state unexpected", map[string]interface{}{"localState": state, "message": msg})
		}
		return toC(state)
	})
	for k, v := range cm.Properties {
		msg.WithProperty(k, v)
	}
	if err != nil {
		return nil, sendErr(err)
	}
	res := convert.SendResult(r)
	if res.Status != primitive.SendOK {
		state = primitive.RollbackMessageState
	}
	return &primitive.TransactionSendResult{SendResult: res, State: state}, nil
}
