package bridge

import "sync"

// queue is an unbounded FIFO that never blocks its producer: a syscall/js callback may push and
// return at once, while one consumer goroutine pops in order.
type queue[T any] struct {
	mu     sync.Mutex
	items  []T
	signal chan struct{} // capacity 1: "there may be items"
}

func newQueue[T any]() *queue[T] { return &queue[T]{signal: make(chan struct{}, 1)} }

func (q *queue[T]) push(v T) {
	q.mu.Lock()
	q.items = append(q.items, v)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// drain blocks until items are there and returns them all, oldest first.
func (q *queue[T]) drain() []T {
	for {
		q.mu.Lock()
		items := q.items
		q.items = nil
		q.mu.Unlock()
		if len(items) > 0 {
			return items
		}
		<-q.signal
	}
}
