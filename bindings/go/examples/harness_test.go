package examples

// Runs the guide's programs (this directory) against the real brokers and checks what the
// brokers delivered. Needs NAMESRV_4 / NAMESRV_5 (and for ACL RMQ_ACL_NAMESRV_4/5,
// RMQ_ACL_ACCESS_KEY, RMQ_ACL_SECRET_KEY) as `scripts/brokers.sh env` prints them; without them
// the tests skip, unless ROCKETMQ_GO_REQUIRE_BROKERS=1 (ROCKETMQ_GO_REQUIRE_ACL=1 for the ACL
// pair; run-tests.sh sets them), where they fail.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/consumer"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
)

var (
	binDir  string
	runID   = fmt.Sprintf("%d", time.Now().UnixNano()%1_000_000_000)
	repoDir = func() string { d, _ := filepath.Abs("../../.."); return d }()
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rocketmq-go-examples")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// namesrv is the name server of env key, or the test skips (fails when brokers are required).
func namesrv(t *testing.T, key string) string {
	t.Helper()
	v := os.Getenv(key)
	require := "ROCKETMQ_GO_REQUIRE_BROKERS"
	if strings.HasPrefix(key, "RMQ_ACL_") {
		require = "ROCKETMQ_GO_REQUIRE_ACL"
	}
	if v == "" {
		if os.Getenv(require) == "1" {
			t.Fatalf("%s is not set (eval \"$(scripts/brokers.sh env)\")", key)
		}
		t.Skipf("%s is not set: no broker to test against", key)
	}
	return v
}

var buildMu sync.Mutex

// build compiles one example once.
func build(t *testing.T, name string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	out := filepath.Join(binDir, name)
	if _, err := os.Stat(out); err == nil {
		return out
	}
	cmd := exec.Command("go", "build", "-o", out, "./"+name)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./%s: %v\n%s", name, err, b)
	}
	return out
}

// run runs an example with env, within limit, and returns its stdout.
func run(t *testing.T, name string, limit time.Duration, env ...string) string {
	t.Helper()
	bin := build(t, name)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s", name, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// topic creates a fresh topic with 8 queues where namesrvAddr is (profile "" or "acl").
func topic(t *testing.T, profile, prefix, namesrvAddr string) string {
	t.Helper()
	name := fmt.Sprintf("go_%s_%s_%s", prefix, runID, strings.NewReplacer(".", "", ":", "_").Replace(namesrvAddr))
	cmd := exec.Command(filepath.Join(repoDir, "scripts/brokers.sh"), "topic", name, "8", namesrvAddr)
	cmd.Env = append(os.Environ(), "RMQ_PROFILE="+profile)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("creating topic %s: %v\n%s", name, err, b)
	}
	return name
}

var sentIDs = regexp.MustCompile(`send message success: result=SendResult \[sendStatus=0, msgIds=([0-9A-F]+), offsetMsgId=[0-9A-F]+, queueOffset=\d+, messageQueue=MessageQueue \[topic=([^,]+), brokerName=[^,]+, queueId=(\d+)\]\]`)

// sent parses the "send message success" lines of a producer example.
func sent(t *testing.T, out string, want int) (ids []string, queues []string) {
	t.Helper()
	for _, m := range sentIDs.FindAllStringSubmatch(out, -1) {
		ids = append(ids, m[1])
		queues = append(queues, m[3])
	}
	if len(ids) != want {
		t.Fatalf("%d sends succeeded, want %d; output:\n%s", len(ids), want, out)
	}
	return ids, queues
}

// received is what a checking consumer got.
type received struct {
	mu   sync.Mutex
	msgs map[string]*primitive.MessageExt
	at   map[string]time.Time
}

func (r *received) has(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.msgs[id]
	return ok
}

func (r *received) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}

// reader consumes topic from its first offset with a fresh group, recording by MsgId, until
// the returned stop function is called.
func reader(t *testing.T, addr, topic string, creds primitive.Credentials) (*received, func()) {
	t.Helper()
	r := &received{msgs: map[string]*primitive.MessageExt{}, at: map[string]time.Time{}}
	c, err := consumer.NewPushConsumer(
		consumer.WithGroupName("go_reader_"+topic),
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{addr})),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
		consumer.WithCredentials(creds),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Subscribe(topic, consumer.MessageSelector{}, func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, m := range msgs {
			r.msgs[m.MsgId] = m
			r.at[m.MsgId] = time.Now()
		}
		return consumer.ConsumeSuccess, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	return r, func() {
		if err := c.Shutdown(); err != nil {
			t.Errorf("reader shutdown: %v", err)
		}
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(200 * time.Millisecond)
	}
	return cond()
}

// online waits until the broker lists a consumer of group subscribed to topic (mqadmin
// consumerConnection, as scripts/brokers.sh runs it for profile "" or "acl"): the consumer
// program has started and rebalanced. Fails the test after limit.
func online(t *testing.T, profile, namesrvAddr, group, topic string, limit time.Duration) {
	t.Helper()
	var out []byte
	ok := waitFor(limit, func() bool {
		cmd := exec.Command(filepath.Join(repoDir, "scripts/brokers.sh"), "admin", namesrvAddr, "consumerConnection", "-g", group)
		cmd.Env = append(os.Environ(), "RMQ_PROFILE="+profile)
		var err error
		out, err = cmd.CombinedOutput()
		return err == nil && strings.Contains(string(out), topic)
	})
	if !ok {
		t.Fatalf("consumer group %s not online on %s within %v:\n%.2000s", group, namesrvAddr, limit, out)
	}
}

// lines returns the lines of out containing s.
func lines(out, s string) []string {
	var found []string
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if strings.Contains(sc.Text(), s) {
			found = append(found, sc.Text())
		}
	}
	return found
}
