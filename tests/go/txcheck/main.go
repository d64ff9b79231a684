// Command txcheck compares the transactions txproducer reported (-tx) with what the reader pulled
// from the (fresh) transaction topic (-read), prints one line per transaction and a final
// "N passed, M failed". Exit status 1 unless everything passed.
//
//	txcheck -tx tx.jsonl -read read.jsonl [-q]
//
// A committed transaction (executed or checked commit) must be in the topic as many times as the
// broker got a COMMIT for it (1 on 4.x; a 5.x broker that asks again about an already committed
// transaction stores it once more), every copy with the topic, tags, keys, body and message id
// (= the send result's, the UNIQ_KEY) that were sent. A rolled back one must not be there at all.
// Messages in the topic that no transaction explains fail too.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"rocketmq-tests-go/internal/record"
	"rocketmq-tests-go/internal/txrecord"
)

func readLines(path string, each func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if err := each([]byte(line)); err != nil {
			return fmt.Errorf("%s: %v: %s", path, err, line)
		}
	}
	return sc.Err()
}

func main() {
	txPath := flag.String("tx", "", "txproducer output (JSON lines)")
	readPath := flag.String("read", "", "reader output (JSON lines)")
	quiet := flag.Bool("q", false, "print nothing, only set the exit status")
	flag.Parse()

	var txs []txrecord.Tx
	var msgs []record.Read
	err := readLines(*txPath, func(b []byte) error {
		var t txrecord.Tx
		if err := json.Unmarshal(b, &t); err != nil {
			return err
		}
		txs = append(txs, t)
		return nil
	})
	if err == nil {
		err = readLines(*readPath, func(b []byte) error {
			var r record.Read
			if err := json.Unmarshal(b, &r); err != nil {
				return err
			}
			if r.Kind == "message" {
				msgs = append(msgs, r)
			}
			return nil
		})
	}
	say := func(format string, args ...interface{}) {
		if !*quiet {
			fmt.Printf(format+"\n", args...)
		}
	}
	if err != nil {
		say("error: %v", err)
		say("0 passed, 1 failed")
		os.Exit(1)
	}

	passed, failed := 0, 0
	explained := make([]bool, len(msgs))
	for _, t := range txs {
		var problems []string
		var found []record.Read
		for i, m := range msgs {
			if record.HasKey(m.Keys, t.Key) {
				found = append(found, m)
				explained[i] = true
			}
		}
		want := 0
		if t.Final == "commit" {
			want = t.CommitAnswers
			if want < 1 {
				problems = append(problems, fmt.Sprintf("final commit, but the broker got %d COMMIT answers", t.CommitAnswers))
			}
		}
		switch {
		case t.Error != "":
			problems = append(problems, "send failed: "+t.Error)
		case len(found) != want:
			problems = append(problems, fmt.Sprintf("%d copies in the topic, want %d (final %s, %d COMMIT answers)",
				len(found), want, t.Final, t.CommitAnswers))
		}
		for _, m := range found {
			eq := func(what, got, want string) {
				if got != want {
					problems = append(problems, fmt.Sprintf("%s: got %q, want %q", what, got, want))
				}
			}
			eq("topic", m.Topic, t.Topic)
			eq("tags", m.Tags, t.Tags)
			eq("keys", m.Keys, t.Key)
			eq("body", m.Body, t.Body)
			eq("msgId", m.MsgID, t.MsgID)
		}
		if len(problems) == 0 {
			passed++
			say("ok   %-8s %s (%d in the topic; executed %s, final %s, checks %d)", t.Case, t.Key, len(found), t.Executed,
				t.Final, t.Checks)
		} else {
			failed++
			say("FAIL %-8s %s: %s", t.Case, t.Key, strings.Join(problems, "; "))
		}
	}
	if len(txs) == 0 {
		failed++
		say("FAIL txproducer reported no transactions")
	}
	stray := 0
	for i, m := range msgs {
		if !explained[i] {
			stray++
			if stray <= 5 {
				say("     stray message in the topic: keys %q id %s", m.Keys, m.MsgID)
			}
		}
	}
	if stray == 0 {
		passed++
	} else {
		failed++
		say("FAIL %d messages in the topic that no transaction of this run explains", stray)
	}
	say("%d passed, %d failed", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
