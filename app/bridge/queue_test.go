package bridge

import (
	"sync"
	"testing"
)

func TestQueueOrderAndNonBlocking(t *testing.T) {
	q := newQueue[int]()
	const n = 10000
	for i := 0; i < n/2; i++ { // no consumer yet: push must not block
		q.push(i)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := n / 2; i < n; i++ {
			q.push(i)
		}
	}()
	next := 0
	for next < n {
		for _, v := range q.drain() {
			if v != next {
				t.Fatalf("got %d, want %d", v, next)
			}
			next++
		}
	}
	wg.Wait()
}
