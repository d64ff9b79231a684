package record

import "testing"

func TestStdHashVectors(t *testing.T) {
	for in, want := range map[string]uint64{
		"":        6142509188972423790,
		"a":       4993892634952068459,
		"abc":     3663726644998027833,
		"order-1": 1888478096483860501,
	} {
		if got := StdHash(in); got != want {
			t.Errorf("StdHash(%q) = %d, want %d", in, got, want)
		}
	}
}
