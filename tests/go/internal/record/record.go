// Package record holds what the Go test programs exchange as JSON lines, plus the libstdc++
// std::hash<std::string> that cpp 2.2.0 uses to pick the queue for a sharding key.
package record

import "strings"

// Sent is one line printed by the producer program per send.
type Sent struct {
	Kind        string            `json:"kind"` // sync | orderly | sharding | oneway
	MsgID       string            `json:"msgId"`
	Key         string            `json:"key"`
	Topic       string            `json:"topic"`
	Tags        string            `json:"tags"`
	Body        string            `json:"body"`
	Status      string            `json:"status,omitempty"`
	Offset      int64             `json:"offset"`
	QueueID     int               `json:"queueId"` // orderly: the queue the selector chose; else -1
	ShardingKey string            `json:"shardingKey,omitempty"`
	Properties  map[string]string `json:"properties,omitempty"`
	Error       string            `json:"error,omitempty"`
	// Wall clock (ms) just before and after the send call: the message's born timestamp must
	// fall in between (same host).
	SendFromMs int64 `json:"sendFromMs,omitempty"`
	SendToMs   int64 `json:"sendToMs,omitempty"`
}

// Read is one line printed by the reader program: a message ("message") or a queue ("queue").
type Read struct {
	Kind        string `json:"kind"`
	Topic       string `json:"topic"`
	Broker      string `json:"broker,omitempty"`
	Tags        string `json:"tags,omitempty"`
	Keys        string `json:"keys,omitempty"`
	Body        string `json:"body,omitempty"`
	MsgID       string `json:"msgId,omitempty"`
	QueueID     int    `json:"queueId"`
	QueueOffset int64  `json:"queueOffset"`
	DelayLevel  int    `json:"delayLevel,omitempty"`
	MaxOffset   int64  `json:"maxOffset,omitempty"` // queue lines
	// Copied by core.Pull before it releases the result (properties are not: see reader).
	ReconsumeTimes  int   `json:"reconsumeTimes,omitempty"`
	StoreSize       int   `json:"storeSize,omitempty"`
	BornTimestamp   int64 `json:"bornTimestamp,omitempty"`
	StoreTimestamp  int64 `json:"storeTimestamp,omitempty"`
	CommitLogOffset int64 `json:"commitLogOffset,omitempty"`
}

// Pushed is one line printed by the pushconsumer program: one per callback invocation
// ("delivery", in callback order) and a final "summary".
type Pushed struct {
	Kind     string `json:"kind"`     // delivery | summary
	Consumer string `json:"consumer"` // concurrently | orderly

	// delivery: every MessageExt field, read inside the callback
	Topic                     string            `json:"topic,omitempty"`
	Tags                      string            `json:"tags,omitempty"`
	Keys                      string            `json:"keys,omitempty"`
	Body                      string            `json:"body,omitempty"`
	MsgID                     string            `json:"msgId,omitempty"`
	QueueID                   int               `json:"queueId"`
	QueueOffset               int64             `json:"queueOffset"`
	CommitLogOffset           int64             `json:"commitLogOffset"`
	ReconsumeTimes            int               `json:"reconsumeTimes"`
	StoreSize                 int               `json:"storeSize"`
	BornTimestamp             int64             `json:"bornTimestamp"`
	StoreTimestamp            int64             `json:"storeTimestamp"`
	DelayLevel                int               `json:"delayLevel"`
	PreparedTransactionOffset int64             `json:"preparedTransactionOffset"`
	Properties                map[string]string `json:"properties,omitempty"` // via GetProperty, inside the callback
	Result                    string            `json:"result,omitempty"`     // what the callback returned
	ReceivedMs                int64             `json:"receivedMs,omitempty"`
	EnterNs                   int64             `json:"enterNs,omitempty"` // monotonic, callback entry/exit
	ExitNs                    int64             `json:"exitNs,omitempty"`

	// summary
	Expected   int    `json:"expected,omitempty"`
	Missing    int    `json:"missing,omitempty"`
	StartMs    int64  `json:"startMs,omitempty"`    // duration of Start()
	AllInMs    int64  `json:"allInMs,omitempty"`    // from the start signal until everything was consumed
	ShutdownMs int64  `json:"shutdownMs,omitempty"` // duration of Shutdown() (incl. DestroyPushConsumer)
	Error      string `json:"error,omitempty"`
}

// HasKey reports whether the space-separated KEYS value contains key.
func HasKey(keys, key string) bool {
	for _, k := range strings.Fields(keys) {
		if k == key {
			return true
		}
	}
	return false
}

const hashMul uint64 = 0xc6a4a7935bd1e995

func shiftMix(v uint64) uint64 { return v ^ (v >> 47) }

// StdHash is libstdc++'s 64-bit std::_Hash_bytes(s, len, 0xc70f6907) == std::hash<std::string>.
func StdHash(s string) uint64 {
	b := []byte(s)
	n := len(b)
	h := uint64(0xc70f6907) ^ (uint64(n) * hashMul)
	aligned := n &^ 7
	for i := 0; i < aligned; i += 8 {
		var w uint64
		for j := 7; j >= 0; j-- {
			w = w<<8 | uint64(b[i+j])
		}
		h ^= shiftMix(w*hashMul) * hashMul
		h *= hashMul
	}
	if n&7 != 0 {
		var t uint64
		for j := n - 1; j >= aligned; j-- {
			t = t<<8 | uint64(b[j])
		}
		h ^= t
		h *= hashMul
	}
	h = shiftMix(h) * hashMul
	return shiftMix(h)
}
