package server

import "sync"

// outQueue holds the frames waiting for a connection's writeLoop. Replies and
// watch notifications are appended by different goroutines (respondLoop, the
// apply goroutine); append never blocks, so the apply goroutine can queue
// events while it holds the tree lock, which is what keeps every event ahead
// of any later reply that shows its change.
type outQueue struct {
	mu         sync.Mutex
	frames     [][]byte
	closed     bool
	closeAfter bool // close the connection once what is queued is written
	signal     chan struct{}
}

func newOutQueue() *outQueue { return &outQueue{signal: make(chan struct{}, 1)} }

func (q *outQueue) push(frame []byte, closeAfter bool) bool {
	q.mu.Lock()
	if q.closed || q.closeAfter {
		q.mu.Unlock()
		return false
	}
	if frame != nil {
		q.frames = append(q.frames, frame)
	}
	q.closeAfter = closeAfter
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
	return true
}

// pushQuiet queues a frame without waking the writer; kick wakes it. The
// apply goroutine queues all of a transaction's events this way, so they
// leave in one write.
func (q *outQueue) pushQuiet(frame []byte) {
	q.mu.Lock()
	if !q.closed && !q.closeAfter {
		q.frames = append(q.frames, frame)
	}
	q.mu.Unlock()
}

// kick wakes the writer.
func (q *outQueue) kick() {
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// take returns everything queued and whether the connection should close
// after writing it.
func (q *outQueue) take(buf [][]byte) ([][]byte, bool) {
	q.mu.Lock()
	buf = append(buf[:0], q.frames...)
	for i := range q.frames {
		q.frames[i] = nil
	}
	q.frames = q.frames[:0]
	closeAfter := q.closeAfter
	q.mu.Unlock()
	return buf, closeAfter
}

func (q *outQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.frames = nil
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}
