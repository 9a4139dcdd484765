package cputime

import (
	"testing"
	"time"
)

// TestUsedCounts checks that a busy loop shows in Used: the reading moves
// forward while it spins, long before a generous bound of wall time.
func TestUsedCounts(t *testing.T) {
	start := Used()
	if start <= 0 {
		t.Fatalf("Used() = %v in a running test, want a positive time", start)
	}
	giveUp := time.Now().Add(30 * time.Second)
	for Used() == start {
		if time.Now().After(giveUp) {
			t.Fatal("Used() did not move during 30 s of spinning")
		}
	}
	if end := Used(); end < start {
		t.Errorf("Used() went back from %v to %v", start, end)
	}
}
