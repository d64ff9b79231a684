package producer

import (
	"hash/fnv"
	"math/rand"
	"sync"
	"time"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
)

// QueueSelector picks the queue of a message (v2.1.1's two-parameter form).
type QueueSelector interface {
	Select(*primitive.Message, []*primitive.MessageQueue) *primitive.MessageQueue
}

type manualQueueSelector struct{}

// NewManualQueueSelector sends to msg.Queue.
func NewManualQueueSelector() QueueSelector { return new(manualQueueSelector) }

func (manualQueueSelector) Select(message *primitive.Message, queues []*primitive.MessageQueue) *primitive.MessageQueue {
	return message.Queue
}

type randomQueueSelector struct {
	mu   sync.Mutex
	rand *rand.Rand
}

// NewRandomQueueSelector picks a queue at random.
func NewRandomQueueSelector() QueueSelector {
	return &randomQueueSelector{rand: rand.New(rand.NewSource(time.Now().UnixNano()))}
}

func (r *randomQueueSelector) Select(message *primitive.Message, queues []*primitive.MessageQueue) *primitive.MessageQueue {
	r.mu.Lock()
	i := r.rand.Intn(len(queues))
	r.mu.Unlock()
	return queues[i]
}

type roundRobinQueueSelector struct {
	mu      sync.Mutex
	indexer map[string]*uint32
}

// NewRoundRobinQueueSelector takes the queues in turn, per topic (first pick: index 1).
func NewRoundRobinQueueSelector() QueueSelector {
	return &roundRobinQueueSelector{indexer: make(map[string]*uint32)}
}

func (r *roundRobinQueueSelector) Select(message *primitive.Message, queues []*primitive.MessageQueue) *primitive.MessageQueue {
	r.mu.Lock()
	defer r.mu.Unlock()
	i, ok := r.indexer[message.Topic]
	if !ok {
		i = new(uint32)
		r.indexer[message.Topic] = i
	}
	*i++
	return queues[*i%uint32(len(queues))]
}

type hashQueueSelector struct {
	random QueueSelector
}

// NewHashQueueSelector maps the sharding key (FNV-1a 32) to a queue; messages without one go to
// a random queue.
func NewHashQueueSelector() QueueSelector {
	return &hashQueueSelector{random: NewRandomQueueSelector()}
}

func (h *hashQueueSelector) Select(message *primitive.Message, queues []*primitive.MessageQueue) *primitive.MessageQueue {
	key := message.GetShardingKey()
	if key == "" {
		return h.random.Select(message, queues)
	}
	hasher := fnv.New32a()
	_, _ = hasher.Write([]byte(key))
	n := int32(hasher.Sum32())
	if n < 0 {
		n = -n
	}
	return queues[int(n)%len(queues)]
}

// shardingKeySelector is the default: a message with a sharding key goes to its key's queue
// (hash), others to the library's round robin (nil).
var shardingKeySelector = NewHashQueueSelector()
