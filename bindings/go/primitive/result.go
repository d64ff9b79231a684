package primitive

import "fmt"

// SendStatus of a send.
type SendStatus int

const (
	SendOK SendStatus = iota
	SendFlushDiskTimeout
	SendFlushSlaveTimeout
	SendSlaveNotAvailable
	SendUnknownError
)

// SendResult of a send.
type SendResult struct {
	Status        SendStatus
	MsgID         string
	MessageQueue  *MessageQueue
	QueueOffset   int64
	TransactionID string
	OffsetMsgID   string
	RegionID      string
	TraceOn       bool
}

// NewSendResult is an empty result with status SendUnknownError.
func NewSendResult() *SendResult {
	return &SendResult{Status: SendUnknownError}
}

// String is v2.1.1's format; a result without a queue prints messageQueue=nil (v2.1.1 panicked).
func (result *SendResult) String() string {
	mq := "nil"
	if result.MessageQueue != nil {
		mq = result.MessageQueue.String()
	}
	return fmt.Sprintf("SendResult [sendStatus=%d, msgIds=%s, offsetMsgId=%s, queueOffset=%d, messageQueue=%s]",
		result.Status, result.MsgID, result.OffsetMsgID, result.QueueOffset, mq)
}

// TransactionSendResult of a transactional send.
type TransactionSendResult struct {
	*SendResult
	State LocalTransactionState
}

// PullStatus of a pull.
type PullStatus int

const (
	PullFound PullStatus = iota
	PullNoNewMsg
	PullNoMsgMatched
	PullOffsetIllegal
	PullBrokerTimeout
)

// PullResult of a pull.
type PullResult struct {
	NextBeginOffset      int64
	MinOffset            int64
	MaxOffset            int64
	Status               PullStatus
	SuggestWhichBrokerId int64

	messageExts []*MessageExt
	body        []byte
}

func (result *PullResult) GetMessageExts() []*MessageExt  { return result.messageExts }
func (result *PullResult) SetMessageExts(m []*MessageExt) { result.messageExts = m }
func (result *PullResult) GetBody() []byte                { return result.body }
func (result *PullResult) SetBody(data []byte)            { result.body = data }
func (result *PullResult) String() string                 { return "" }
func (result *PullResult) GetMessages() []*Message {
	out := make([]*Message, 0, len(result.messageExts))
	for _, m := range result.messageExts {
		out = append(out, &m.Message)
	}
	return out
}

// LocalTransactionState is a transaction's outcome.
type LocalTransactionState int

const (
	CommitMessageState LocalTransactionState = iota + 1
	RollbackMessageState
	UnknowState
)

// UnknownState is the correctly spelt UnknowState; UnkonwnState is the newer v2 name.
const (
	UnknownState = UnknowState
	UnkonwnState = UnknowState
)

// TransactionListener runs local transactions and answers the broker's checks.
type TransactionListener interface {
	ExecuteLocalTransaction(*Message) LocalTransactionState
	CheckLocalTransaction(*MessageExt) LocalTransactionState
}

// Credentials for ACL.
type Credentials struct {
	AccessKey     string
	SecretKey     string
	SecurityToken string
}

// IsEmpty is true when the access key or the secret key is empty.
func (c Credentials) IsEmpty() bool {
	return c.AccessKey == "" || c.SecretKey == ""
}

// AccessChannel of the trace.
type AccessChannel int

const (
	Local AccessChannel = iota
	Cloud
)

// TraceConfig configures message trace.
type TraceConfig struct {
	TraceTopic   string
	GroupName    string
	Access       AccessChannel
	NamesrvAddrs []string
	Resolver     NsResolver
	Credentials
}

// MQBrokerErr is an error code from the broker.
type MQBrokerErr struct {
	ResponseCode int16
	ErrorMessage string
}

func (e MQBrokerErr) Error() string {
	return fmt.Sprintf("CODE: %d  DESC: %s", e.ResponseCode, e.ErrorMessage)
}

type mqClientErr struct {
	code int16
	msg  string
}

func (e mqClientErr) Error() string { return fmt.Sprintf("CODE: %d  DESC: %s", e.code, e.msg) }

// NewMQClientErr is a client error with a code.
func NewMQClientErr(code int16, msg string) error { return mqClientErr{code: code, msg: msg} }

// RemotingErr is a transport error.
type RemotingErr struct{ s string }

func (e *RemotingErr) Error() string { return e.s }

// NewRemotingErr is a transport error.
func NewRemotingErr(s string) error { return &RemotingErr{s: s} }

// IsRemotingErr is true for transport errors.
func IsRemotingErr(err error) bool {
	_, ok := err.(*RemotingErr)
	return ok
}
