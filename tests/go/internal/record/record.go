// Package record holds what the Go test programs exchange as JSON lines, plus the libstdc++
// std::hash<std::string> that cpp 2.2.0 uses to pick the queue for a sharding key.
package record

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
