package main

import "time"

// comparisons are the report's comparisons, in its order.
var comparisons = []struct {
	key, title string
	run        func(*bench) *Section
}{
	{"calls", "GenServer.call from Elixir: creo's Wasm echo beside a BEAM echo", (*bench).calls},
	{"callbacks", "Callbacks per second into Wasm servers, beside native Go", (*bench).callbacks},
	{"scale", "Idle servers: spawn rate and memory", (*bench).scale},
	{"reload", "Hot reload of running servers", (*bench).reload},
	{"etf", "ETF decode and encode beside erl", (*bench).etf},
}

func comparisonKeys() []string {
	keys := make([]string, len(comparisons))
	for i, c := range comparisons {
		keys[i] = c.key
	}
	return keys
}

// sizes are the counts and durations of one run's measurements.
type sizes struct {
	rounds int
	// calls: the concurrent callers, how long each throughput sample runs,
	// and how many sequential calls each latency sample times.
	callers      []int
	callTime     time.Duration
	latencyCalls int
	// callbacks: how long each sample runs.
	callbackTime time.Duration
	// scale: the numbers of idle servers.
	servers []int
	// reload: the numbers of running servers reloaded, and whether the new
	// version is compiled for real rather than found in the cache.
	reloads     []int
	coldCompile bool
	// etf: how long each sample of one term and direction runs.
	codecTime time.Duration
}

func sizesFor(cfg Config) sizes {
	s := sizes{
		rounds:       5,
		callers:      []int{1, 8, 64, 256},
		callTime:     time.Second,
		latencyCalls: 2000,
		callbackTime: time.Second,
		servers:      []int{10_000, 100_000, 1_000_000},
		reloads:      []int{1_000, 10_000},
		coldCompile:  true,
		codecTime:    300 * time.Millisecond,
	}
	if cfg.Quick {
		s = sizes{
			rounds:       2,
			callers:      []int{1, 64},
			callTime:     20 * time.Millisecond,
			latencyCalls: 20,
			callbackTime: 20 * time.Millisecond,
			servers:      []int{1_000, 2_000},
			reloads:      []int{10, 20},
			codecTime:    5 * time.Millisecond,
		}
	}
	if cfg.Rounds > 0 {
		s.rounds = cfg.Rounds
	}
	return s
}
