// Package txrecord is what the transaction producer program (txproducer) writes per transaction
// and the transaction check program (txcheck) reads, as JSON lines.
package txrecord

// Tx is one transaction sent with TransactionProducer.SendMessageTransaction.
type Tx struct {
	Case       string            `json:"case"` // commit | rollback | unknown
	Key        string            `json:"key"`
	Topic      string            `json:"topic"`
	Tags       string            `json:"tags"`
	Body       string            `json:"body"`
	Properties map[string]string `json:"properties,omitempty"`
	MsgID      string            `json:"msgId"` // the send result's (the half message's UNIQ_KEY)
	Status     string            `json:"status,omitempty"`
	Error      string            `json:"error,omitempty"`
	// What Execute returned, and the application's final decision (what Check answers).
	Executed string `json:"executed"`
	Final    string `json:"final"`
	// Calls seen by the listener.
	ExecCalls int `json:"execCalls"`
	Checks    int `json:"checks"`
	// COMMIT answers the broker got (Execute + Check): the number of copies it stores.
	CommitAnswers int `json:"commitAnswers"`
	// Milliseconds from the end of the send to the first check-back (0: none).
	FirstCheckMs int64 `json:"firstCheckMs,omitempty"`
}
