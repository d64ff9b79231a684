package capi

import (
	"strings"
	"testing"
)

// sendText is what rmqgo_send_sync reads: topic, then key and value pairs, NUL-terminated, each
// string cut at a NUL in it (as a C string of it reads).
func TestSendText(t *testing.T) {
	m := &Message{Topic: "T\x00ignored", Properties: map[string]string{"K\x00x": "V", "A": "b\x00c"}}
	got := strings.Split(string(sendText(m)), "\x00")
	if len(got) != 6 || got[0] != "T" || got[5] != "" {
		t.Fatalf("sendText = %q", got)
	}
	pairs := map[string]string{got[1]: got[2], got[3]: got[4]}
	if len(pairs) != 2 || pairs["K"] != "V" || pairs["A"] != "b" {
		t.Fatalf("pairs = %v", pairs)
	}
	if s := string(sendText(&Message{Topic: "t"})); s != "t\x00" {
		t.Fatalf("no properties: %q", s)
	}
}
